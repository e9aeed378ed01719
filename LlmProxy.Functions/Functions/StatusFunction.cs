using LlmProxy.Core.Serialization;
using LlmProxy.Core.Status;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace LlmProxy.Functions.Functions;

/// <summary><c>GET /api/llm-proxy/status</c>: version, uptime, vendors configured, store and queue reachable.</summary>
public sealed class StatusFunction(StatusService status)
{
    [Function("Status")]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/llm-proxy/status")] HttpRequest request)
    {
        var report = await status.GetAsync(request.HttpContext.RequestAborted);
        return new JsonBodyResult<ProxyStatus>(report, ProxyDocumentsJsonContext.Default.ProxyStatus,
            report.Status == "ok" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
