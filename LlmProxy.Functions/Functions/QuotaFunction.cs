using LlmProxy.Core.Auth;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions;

/// <summary><c>GET /api/quota?tenantId=&amp;userId=</c>: limit, used, reserved and remaining for the period, and the rate-limit window.</summary>
public sealed class QuotaFunction(CallerAuthenticator authenticator, QuotaService quotas, ILogger<QuotaFunction> log)
{
    [Function("Quota")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/quota")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            var caller = await authenticator.AuthenticateAsync(request);
            var tenantId = caller.TenantFor(QueryValues.Id(request, "tenantId") ?? request.Headers[CallerIdentity.TenantHeader].FirstOrDefault());
            var userId = QueryValues.Id(request, "userId");
            var status = await quotas.GetStatusAsync(tenantId, userId, request.HttpContext.RequestAborted);
            return new JsonBodyResult<QuotaStatus>(status, ProxyDocumentsJsonContext.Default.QuotaStatus);
        });
}
