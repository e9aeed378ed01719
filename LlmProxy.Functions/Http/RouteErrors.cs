using LlmProxy.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Functions.Http;

/// <summary>The unified errors for a request no function takes: an unknown path (404) or a method the path does not take (405).</summary>
public static class RouteErrors
{
    /// <summary>Long enough for any real route; a longer path is cut so that the error stays small.</summary>
    private const int MaxPathChars = 200;

    public static ProxyException Unknown(string method, PathString path) =>
        new(StatusCodes.Status404NotFound, ErrorTypes.NotFound,
            $"No route answers {method} {Shown(path)}. The OpenAI-compatible routes are under /v1 (POST /v1/chat/completions, GET /v1/models); see docs/api.md for the others.")
        {
            Code = "unknown_route",
        };

    public static ProxyException MethodNotAllowed(string method, PathString path, string allowed) =>
        new(StatusCodes.Status405MethodNotAllowed, ErrorTypes.InvalidRequest, $"{Shown(path)} does not take {method}; it takes {allowed}.")
        {
            Code = "method_not_allowed",
        };

    private static string Shown(PathString path)
    {
        var text = path.HasValue ? path.Value! : "/";
        return text.Length <= MaxPathChars ? text : text[..MaxPathChars] + "…";
    }
}
