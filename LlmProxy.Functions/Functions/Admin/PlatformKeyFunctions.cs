using LlmProxy.Core.Admin;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Auth.Platform;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions.Admin;

/// <summary>
/// Admin API for platform keys, the operator's backend acting for many tenants: create (the key is in this one answer
/// only) and list; revocation is <c>DELETE /api/admin/keys/{keyId}</c>, as for every key.
/// </summary>
public sealed class PlatformKeyFunctions(AdminGate gate, ApiKeyService keys, ILogger<PlatformKeyFunctions> log)
{
    private const string CreateExample = "{\"name\":\"backend\",\"tenants\":[\"acme\",\"globex\"]} or {\"name\":\"backend\",\"allTenants\":true}";

    [Function("AdminCreatePlatformKey")]
    public Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/admin/platform-keys")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await gate.DemandAsync(request);
            var body = await RequestBody.ReadJsonAsync(request, ProxyDocumentsJsonContext.Default.NewPlatformKey, 64 * 1024, CreateExample);
            var created = await keys.CreatePlatformAsync(body ?? new NewPlatformKey(), request.HttpContext.RequestAborted);
            return new JsonBodyResult<CreatedApiKey>(created, ProxyDocumentsJsonContext.Default.CreatedApiKey, StatusCodes.Status201Created);
        });

    [Function("AdminListPlatformKeys")]
    public Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/platform-keys")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await gate.DemandAsync(request);
            var listed = await keys.ListPlatformAsync(request.HttpContext.RequestAborted);
            return new JsonBodyResult<List<ApiKeyInfo>>(listed.Select(ApiKeyInfo.From).ToList(), ProxyDocumentsJsonContext.Default.ListApiKeyInfo);
        });
}
