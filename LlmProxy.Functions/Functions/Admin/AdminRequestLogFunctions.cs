using LlmProxy.Core.Admin;
using LlmProxy.Core.Errors;
using LlmProxy.Core.RequestLog;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions.Admin;

/// <summary>
/// The request log: <c>GET /api/admin/requests</c> (filters tenantId, userId, provider, model, status, cached, from,
/// to, limit; newest first, without bodies), <c>GET /api/admin/requests/{id}</c> (with bodies) and
/// <c>GET /api/admin/requests.csv</c> (the same filters as CSV).
/// </summary>
public sealed class AdminRequestLogFunctions(AdminGate gate, IRequestLogStore log, ILogger<AdminRequestLogFunctions> logger)
{
    [Function("AdminRequests")]
    public Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/requests")] HttpRequest request) =>
        ErrorResults.GuardAsync(logger, async () =>
        {
            await gate.DemandAsync(request);
            var entries = await log.QueryAsync(Query(request), request.HttpContext.RequestAborted);
            return new JsonBodyResult<IReadOnlyList<RequestLogEntry>>(entries, ProxyDocumentsJsonContext.Default.IReadOnlyListRequestLogEntry);
        });

    [Function("AdminRequestsCsv")]
    public Task<IActionResult> Csv([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/requests.csv")] HttpRequest request) =>
        ErrorResults.GuardAsync(logger, async () =>
        {
            await gate.DemandAsync(request);
            var entries = await log.QueryAsync(Query(request), request.HttpContext.RequestAborted);
            var result = new TextBodyResult(RequestLogCsv.Write(entries), "text/csv; charset=utf-8");
            result.Headers["Content-Disposition"] = "attachment; filename=\"requests.csv\"";
            result.Headers["Cache-Control"] = "no-store";
            return result;
        });

    [Function("AdminRequest")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/requests/{id}")] HttpRequest request) =>
        ErrorResults.GuardAsync(logger, async () =>
        {
            await gate.DemandAsync(request);
            var id = request.RouteValues["id"] as string ?? "";
            var entry = await log.GetAsync(id, request.HttpContext.RequestAborted)
                ?? throw new ProxyException(404, ErrorTypes.NotFound, $"There is no request '{id}' in the log.", "id");
            return new JsonBodyResult<RequestLogEntry>(entry, ProxyDocumentsJsonContext.Default.RequestLogEntry);
        });

    private static RequestLogQuery Query(HttpRequest request)
    {
        var limit = QueryValues.Int(request, "limit", 100);
        if (limit is < 1 or > 1000) throw ProxyException.BadRequest("'limit' must be 1 to 1000.", "limit");
        var tenantId = QueryValues.Id(request, "tenantId");
        return new RequestLogQuery
        {
            TenantId = tenantId,
            UserId = QueryValues.Id(request, "userId"),
            Provider = QueryValues.Text(request, "provider"),
            Model = QueryValues.Text(request, "model"),
            Status = QueryValues.Text(request, "status"),
            Cached = QueryValues.Bool(request, "cached"),
            From = QueryValues.Instant(request, "from"),
            To = QueryValues.Instant(request, "to"),
            Limit = limit,
        };
    }
}
