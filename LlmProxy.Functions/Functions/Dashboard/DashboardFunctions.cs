using LlmProxy.Core.Admin;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using LlmProxy.Functions.StaticAssets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions.Dashboard;

/// <summary>
/// The admin dashboard: its page (<c>GET /usage</c>), its script and styles (<c>GET /usage/assets/{file}</c>), and
/// its session: <c>POST /usage/login</c> exchanges the admin key for a session cookie, <c>GET /usage/session</c>
/// hands the page its CSRF token, <c>POST /usage/logout</c> ends it, on the server too. The data comes from <c>api/admin/...</c>.
/// </summary>
public sealed class DashboardFunctions(StaticAssetCatalog assets, AdminKeyCheck keyCheck, AdminSessions sessions, AdminGate gate,
    AdminSessionRevocations revocations, ILogger<DashboardFunctions> log)
{
    public const string PageAsset = "dashboard/index.html";
    private const int MaxLoginBytes = 4096;

    [Function("DashboardPage")]
    public Task<IActionResult> Page([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "usage")] HttpRequest request)
    {
        var page = assets.Find(PageAsset)!;
        var result = new StaticAssetResult(page, "no-cache");
        result.Headers["Content-Security-Policy"] = ContentSecurityPolicy.ForPage(page);
        result.Headers["Referrer-Policy"] = "no-referrer";
        return Task.FromResult<IActionResult>(result);
    }

    [Function("DashboardAsset")]
    public Task<IActionResult> Asset([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "usage/assets/{file}")] HttpRequest request)
    {
        var file = request.RouteValues["file"] as string ?? "";
        if (file.EndsWith(".html", StringComparison.Ordinal) || assets.Find("dashboard/" + file) is not { } asset)
            return Task.FromResult(ErrorResults.From(new ProxyException(404, ErrorTypes.NotFound, $"There is no dashboard file '{file}'.", "file")));
        return Task.FromResult<IActionResult>(new StaticAssetResult(asset, "public, max-age=300"));
    }

    [Function("DashboardLogin")]
    public Task<IActionResult> Login([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "usage/login")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            keyCheck.Demand(await ReadKeyAsync(request), request.HttpContext.Connection.RemoteIpAddress, Caller.ForwardedFor(request));
            var session = sessions.Issue();
            DashboardCookie.Set(request.HttpContext.Response, session);
            return NoStore(new JsonBodyResult<AdminSessionInfo>(new AdminSessionInfo(session.CsrfToken, session.ExpiresAt),
                ProxyDocumentsJsonContext.Default.AdminSessionInfo));
        });

    /// <summary>The page asks on load whether it is signed in: 204 when not, so a fresh visit logs no failed request.</summary>
    [Function("DashboardSession")]
    public Task<IActionResult> Session([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "usage/session")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
            await gate.SessionAsync(request.Cookies[DashboardCookie.Name], request.HttpContext.RequestAborted) is { } session
                ? NoStore(new JsonBodyResult<AdminSessionInfo>(new AdminSessionInfo(session.CsrfToken, session.ExpiresAt), ProxyDocumentsJsonContext.Default.AdminSessionInfo))
                : new NoContentResult());

    /// <summary>Ends the session on the server as well, so a copy of the cookie is refused from then on.</summary>
    [Function("DashboardLogout")]
    public Task<IActionResult> Logout([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "usage/logout")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            var aborted = request.HttpContext.RequestAborted;
            if (await gate.SessionAsync(request.Cookies[DashboardCookie.Name], aborted) is { } session) await revocations.SignOutAsync(session, aborted);
            DashboardCookie.Clear(request.HttpContext.Response);
            return new NoContentResult();
        });

    private static IActionResult NoStore<T>(JsonBodyResult<T> result)
    {
        result.Headers["Cache-Control"] = "no-store";
        return result;
    }

    /// <summary>The key from a JSON body <c>{"key": "..."}</c> or a form field <c>key</c>; never from the URL.</summary>
    private static async Task<string?> ReadKeyAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            return form["key"].FirstOrDefault();
        }
        var body = await RequestBody.ReadJsonAsync(request, ProxyDocumentsJsonContext.Default.AdminSignIn, MaxLoginBytes,
            "{\"key\": \"<admin key>\"} (or a form with the field 'key')");
        return body?.Key;
    }
}
