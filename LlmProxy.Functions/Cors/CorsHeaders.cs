using LlmProxy.Core.Cors;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Functions.Cors;

/// <summary>Writes <see cref="CorsPolicy"/>'s decision onto an HTTP response; shared by both hosts' middleware and the preflight function.</summary>
public static class CorsHeaders
{
    /// <summary>Adds the headers of an actual response. Preflights (OPTIONS) are answered by <c>CorsPreflightFunction</c>.</summary>
    public static void ApplyToResponse(HttpContext context, CorsPolicy policy)
    {
        if (HttpMethods.IsOptions(context.Request.Method)) return;
        Write(context.Response, policy.ResponseHeaders(context.Request.Headers.Origin));
    }

    public static void Write(HttpResponse response, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        foreach (var (name, value) in headers)
        {
            if (name != "Vary") response.Headers[name] = value;
            else if (!response.Headers.Vary.Contains(value)) response.Headers.Append(name, value);
        }
    }

    /// <summary>Takes back what the middleware granted, before the response starts.</summary>
    public static void Withhold(HttpResponse response)
    {
        response.Headers.Remove("Access-Control-Allow-Origin");
        response.Headers.Remove("Access-Control-Expose-Headers");
    }
}
