using LlmProxy.Core.Admin;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions.Admin;

/// <summary><c>POST /api/admin/usage/poison/replay?max=</c>: moves poison usage messages back to the usage queue.</summary>
public sealed class AdminReplayPoisonFunction(AdminGate gate, AdminService admin, ILogger<AdminReplayPoisonFunction> log)
{
    [Function("AdminReplayPoison")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/admin/usage/poison/replay")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await gate.DemandAsync(request);
            var replay = await admin.ReplayPoisonAsync(QueryValues.Int(request, "max", 1000), request.HttpContext.RequestAborted);
            return new JsonBodyResult<PoisonReplay>(replay, ProxyDocumentsJsonContext.Default.PoisonReplay);
        });
}
