using LlmProxy.Core.Errors;
using LlmProxy.Functions.Http;
using LlmProxy.Functions.StaticAssets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace LlmProxy.Functions.Functions;

/// <summary>
/// Serves the <c>&lt;ai-text-enhancer&gt;</c> bundles (<c>GET /_/js/{file}</c>) to any page, and a demo page
/// (<c>GET /_/demo</c>) that shows the element working against the proxy it is served from.
/// </summary>
public sealed class WebComponentFunctions(StaticAssetCatalog assets)
{
    /// <summary>The bundle's URL does not change between releases, so browsers revalidate (cheaply, by ETag) every few minutes.</summary>
    public const string ScriptCacheControl = "public, max-age=300";

    public const string DemoAsset = "demo.html";

    [Function("WebComponentScript")]
    public Task<IActionResult> Script([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "_/js/{file}")] HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        var file = path[(path.LastIndexOf('/') + 1)..];
        if (assets.Find("js/" + file) is not { } asset)
            return Task.FromResult(ErrorResults.From(new ProxyException(404, ErrorTypes.NotFound, $"There is no script '{file}'.", "file")));
        var result = new StaticAssetResult(asset, ScriptCacheControl);
        // Public code for any page: module scripts from another origin load only with a CORS header.
        result.Headers["Access-Control-Allow-Origin"] = "*";
        result.Headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        return Task.FromResult<IActionResult>(result);
    }

    [Function("WebComponentDemo")]
    public Task<IActionResult> Demo([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "_/demo")] HttpRequest request)
    {
        var page = assets.Find(DemoAsset)!;
        var result = new StaticAssetResult(page, "no-cache");
        result.Headers["Content-Security-Policy"] = ContentSecurityPolicy.ForPage(page);
        result.Headers["Referrer-Policy"] = "no-referrer";
        return Task.FromResult<IActionResult>(result);
    }
}
