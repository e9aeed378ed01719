using LlmProxy.Core.Admin;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions.Admin;

/// <summary>Admin API for tenant keys: create (the key is in this one answer only), list, revoke.</summary>
public sealed class ApiKeyFunctions(AdminGate gate, CallerAuthenticator authenticator, ApiKeyService keys, ILogger<ApiKeyFunctions> log)
{
    private const string CreateExample = "{\"name\":\"backend\"} or {\"name\":\"site\",\"kind\":\"publishable\",\"allowedOrigins\":[\"https://www.example.com\"]}";

    [Function("AdminCreateApiKey")]
    public Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/admin/tenants/{tenantId}/keys")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await gate.DemandAsync(request);
            var tenantId = TenantRoute(request);
            var body = await RequestBody.ReadJsonAsync(request, ProxyDocumentsJsonContext.Default.NewApiKey, 16 * 1024, CreateExample);
            var created = await keys.CreateAsync(tenantId, body ?? new NewApiKey(), request.HttpContext.RequestAborted);
            return new JsonBodyResult<CreatedApiKey>(created, ProxyDocumentsJsonContext.Default.CreatedApiKey, StatusCodes.Status201Created);
        });

    [Function("AdminListApiKeys")]
    public Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/tenants/{tenantId}/keys")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await gate.DemandAsync(request);
            var shown = await keys.ListInfoAsync(TenantRoute(request), request.HttpContext.RequestAborted);
            return new JsonBodyResult<List<ApiKeyInfo>>(shown, ProxyDocumentsJsonContext.Default.ListApiKeyInfo);
        });

    [Function("AdminRevokeApiKey")]
    public Task<IActionResult> Revoke([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/admin/keys/{keyId}")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await gate.DemandAsync(request);
            var keyId = request.RouteValues["keyId"] as string ?? "";
            await keys.RevokeAsync(keyId, request.HttpContext.RequestAborted);
            authenticator.Forget();
            IActionResult done = new NoContentResult();
            return done;
        });

    private static string TenantRoute(HttpRequest request)
    {
        var tenantId = request.RouteValues["tenantId"] as string ?? "";
        RequestValidator.CheckId(tenantId, "tenantId");
        return tenantId;
    }
}
