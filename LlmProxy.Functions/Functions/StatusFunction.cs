using LlmProxy.Core.Admin;
using LlmProxy.Core.Serialization;
using LlmProxy.Core.Status;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions;

/// <summary>
/// <c>GET /api/llm-proxy/status</c>: whether the proxy is up (its store and queue answer), for anyone, such as a load
/// balancer's probe. Version, uptime, vendors, circuits and error rates only with the admin key or a dashboard
/// session: they tell an outsider which vendors stand behind the proxy and when it is weak.
/// </summary>
public sealed class StatusFunction(StatusService status, AdminGate gate, ILogger<StatusFunction> log)
{
    [Function("Status")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/llm-proxy/status")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            // A caller who presents admin credentials is held to them (a wrong key is a 401, not the short answer).
            var operatorAsks = request.Headers.ContainsKey(AdminKeyCheck.Header) || request.Cookies.ContainsKey(DashboardCookie.Name);
            if (operatorAsks) await gate.DemandAsync(request);
            var report = await status.GetAsync(request.HttpContext.RequestAborted);
            var code = report.Status == "ok" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            return operatorAsks
                ? new JsonBodyResult<ProxyStatus>(report, ProxyDocumentsJsonContext.Default.ProxyStatus, code)
                : new JsonBodyResult<ProxyLiveness>(new ProxyLiveness(report.Status), ProxyDocumentsJsonContext.Default.ProxyLiveness, code);
        });
}
