using LlmProxy.Core.Configuration;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Functions.Functions;

/// <summary><c>GET /api/quota?tenantId=&amp;userId=</c>: limit, used and remaining for the period, and the rate limit.</summary>
public sealed class QuotaFunction(QuotaService quotas, IOptions<ProxyOptions> options, ILogger<QuotaFunction> log)
{
    [Function("Quota")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/quota")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            var tenantId = Id(request, "tenantId") ?? options.Value.DefaultTenantId;
            var userId = Id(request, "userId");
            var status = await quotas.GetStatusAsync(tenantId, userId, request.HttpContext.RequestAborted);
            return new JsonBodyResult<QuotaStatus>(status, ProxyDocumentsJsonContext.Default.QuotaStatus);
        });

    private static string? Id(HttpRequest request, string name)
    {
        var value = request.Query[name].FirstOrDefault();
        if (string.IsNullOrEmpty(value)) return null;
        if (value.Length > Core.Proxy.RequestValidator.MaxIdLength || value.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)))
            throw ProxyException.BadRequest($"'{name}' must be 1 to {Core.Proxy.RequestValidator.MaxIdLength} characters without '/', '\\', '#', '?' or control characters.", name);
        return value;
    }
}
