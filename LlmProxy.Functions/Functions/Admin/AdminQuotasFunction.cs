using System.Text.Json;
using LlmProxy.Core.Admin;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions.Admin;

/// <summary>
/// <c>GET|PUT /api/admin/quotas?tenantId=&amp;userId=</c>: a tenant's (or, with userId, a user's) quota override and
/// the limits in force. PUT takes <c>{"tokenLimit": n|null, "requestsPerMinute": n|null, "costLimitUsd": n|null}</c>; all null
/// removes it.
/// </summary>
public sealed class AdminQuotasFunction(AdminGate gate, AdminService admin, ILogger<AdminQuotasFunction> log)
{
    private const int MaxBodyBytes = 4096;

    [Function("AdminQuotas")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", "put", Route = "api/admin/quotas")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            var actor = await gate.DemandAsync(request);
            var aborted = request.HttpContext.RequestAborted;
            var tenantId = QueryValues.RequiredId(request, "tenantId");
            var userId = QueryValues.Id(request, "userId");
            var view = HttpMethods.IsPut(request.Method)
                ? await admin.SetQuotaAsync(tenantId, userId, ReadOverride(await RequestBody.ReadAsync(request, MaxBodyBytes, aborted)), actor, aborted)
                : await admin.GetQuotaAsync(tenantId, userId, aborted);
            return new JsonBodyResult<QuotaOverrideView>(view, ProxyDocumentsJsonContext.Default.QuotaOverrideView);
        });

    private static QuotaOverride ReadOverride(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, ProxyDocumentsJsonContext.Default.QuotaOverride)
                ?? throw ProxyException.BadRequest("The body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw ProxyException.BadRequest("The body must be {\"tokenLimit\": number|null, \"requestsPerMinute\": number|null, \"costLimitUsd\": number|null}: " + e.Message);
        }
    }
}
