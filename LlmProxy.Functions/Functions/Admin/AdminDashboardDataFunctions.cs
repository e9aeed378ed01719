using LlmProxy.Core.Admin;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions.Admin;

/// <summary>The dashboard's figures, also open to admin-key callers: overview, tenants and users, quota audit trail.</summary>
public sealed class AdminDashboardDataFunctions(AdminGate gate, AdminService admin, DashboardService dashboard, ILogger<AdminDashboardDataFunctions> log)
{
    /// <summary><c>GET /api/admin/overview?tenantId=&amp;from=&amp;to=&amp;split=vendor|model</c></summary>
    [Function("AdminOverview")]
    public Task<IActionResult> Overview([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/overview")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await gate.DemandAsync(request);
            var overview = await dashboard.OverviewAsync(QueryValues.Id(request, "tenantId"), QueryValues.Instant(request, "from"),
                QueryValues.Instant(request, "to"), QueryValues.Text(request, "split") ?? "vendor", request.HttpContext.RequestAborted);
            return new JsonBodyResult<UsageOverview>(overview, ProxyDocumentsJsonContext.Default.UsageOverview);
        });

    /// <summary><c>GET /api/admin/scopes?tenantId=&amp;from=&amp;to=</c>: tenants and users with their quota in the current period.</summary>
    [Function("AdminScopes")]
    public Task<IActionResult> Scopes([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/scopes")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await gate.DemandAsync(request);
            var table = await dashboard.ScopesAsync(QueryValues.Id(request, "tenantId"), QueryValues.Instant(request, "from"),
                QueryValues.Instant(request, "to"), request.HttpContext.RequestAborted);
            return new JsonBodyResult<ScopeTable>(table, ProxyDocumentsJsonContext.Default.ScopeTable);
        });

    /// <summary><c>GET /api/admin/quotas/audit?tenantId=&amp;limit=</c>: quota override changes, newest first.</summary>
    [Function("AdminQuotaAudit")]
    public Task<IActionResult> Audit([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/quotas/audit")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await gate.DemandAsync(request);
            var entries = await admin.AuditAsync(QueryValues.Id(request, "tenantId"), QueryValues.Int(request, "limit", 100), request.HttpContext.RequestAborted);
            return new JsonBodyResult<IReadOnlyList<QuotaAuditEntry>>(entries, ProxyDocumentsJsonContext.Default.IReadOnlyListQuotaAuditEntry);
        });
}
