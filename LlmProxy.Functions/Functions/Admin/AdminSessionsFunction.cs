using LlmProxy.Core.Admin;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions.Admin;

/// <summary>
/// <c>POST /api/admin/sessions/revoke</c>: signs every dashboard session out, on every instance within
/// <see cref="AdminSessionRevocations.RefreshInterval"/> (the caller's own session included).
/// </summary>
public sealed class AdminSessionsFunction(AdminGate gate, AdminSessionRevocations revocations, ILogger<AdminSessionsFunction> log)
{
    [Function("AdminRevokeSessions")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/admin/sessions/revoke")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await gate.DemandAsync(request);
            await revocations.SignOutEverywhereAsync(request.HttpContext.RequestAborted);
            return new NoContentResult();
        });
}
