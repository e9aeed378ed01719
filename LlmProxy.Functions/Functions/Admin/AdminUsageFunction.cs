using LlmProxy.Core.Admin;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions.Admin;

/// <summary><c>GET /api/admin/usage?tenantId=&amp;userId=&amp;from=&amp;to=</c>: requests and tokens per tenant, user, vendor, model and day.</summary>
public sealed class AdminUsageFunction(AdminGate gate, AdminService admin, ILogger<AdminUsageFunction> log)
{
    [Function("AdminUsage")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/usage")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await gate.DemandAsync(request);
            var report = await admin.UsageAsync(QueryValues.Id(request, "tenantId"), QueryValues.Id(request, "userId"),
                QueryValues.Instant(request, "from"), QueryValues.Instant(request, "to"), request.HttpContext.RequestAborted);
            return new JsonBodyResult<UsageReport>(report, ProxyDocumentsJsonContext.Default.UsageReport);
        });
}
