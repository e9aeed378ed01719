using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace LlmProxy.Functions.StaticAssets;

/// <summary>
/// Serves an embedded asset with its content type, a strong ETag (answering a matching <c>If-None-Match</c> with
/// 304), the given <c>Cache-Control</c> and any extra headers (CORS, Content-Security-Policy).
/// </summary>
public sealed class StaticAssetResult(StaticAsset asset, string cacheControl) : IActionResult
{
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var request = context.HttpContext.Request;
        var response = context.HttpContext.Response;
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = cacheControl;
        response.Headers.XContentTypeOptions = "nosniff";
        foreach (var (name, value) in Headers) response.Headers[name] = value;

        if (Matches(request.Headers.IfNoneMatch, asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        if (HttpMethods.IsHead(request.Method)) return;
        await response.Body.WriteAsync(asset.Content, context.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag) =>
        EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags) &&
        tags.Any(t => t.Tag == "*" || t.Compare(EntityTagHeaderValue.Parse(etag), useStrongComparison: false));
}
