using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LlmProxy.Functions.Http;

/// <summary>Starts a Server-Sent Events answer, whichever door's events follow.</summary>
internal static class EventStreamResponse
{
    public static HttpResponse Start(HttpContext http, string provider)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Reverse proxies (nginx, Front Door) would otherwise hold events back until a buffer fills.
        response.Headers["X-Accel-Buffering"] = "no";
        response.Headers["X-LlmProxy-Provider"] = provider;
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return response;
    }
}
