using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace LlmProxy.Functions.Functions;

/// <summary>
/// Answers a path no other function serves with the unified 404, naming the method and the path, so clients report
/// "unknown route" instead of an empty status. Its route's constraint leaves out every path another function serves
/// (a test derives that list from the route table): the Functions host tries routes in the order it happens to list
/// functions, not by precedence, so a plain catch-all could take requests meant for them. Preflights (<c>OPTIONS</c>)
/// stay with <see cref="CorsPreflightFunction"/>.
/// </summary>
public sealed class UnknownRouteFunction
{
    public const string Name = "UnknownRoute";

    /// <summary>Every path served by another function, as one alternation; a trailing slash is the same path.</summary>
    public const string ServedPaths =
        "api/(llm-proxy(/status)?|quota|tokens|admin/(keys/[^/]+|platform-keys|quotas(/audit)?|overview|requests(\\.csv|/[^/]+)?|scopes|sessions/revoke|tenants/[^/]+/keys|usage(/poison/replay)?))"
        + "|v1/(chat/completions|embeddings|messages|models(/.+)?)"
        + "|_/(js/[^/]+|demo)"
        + "|usage(/(assets/[^/]+|login|session|logout))?";

    [Function(Name)]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", "head",
        Route = "{*path:regex(^(?!(" + ServedPaths + ")/?$).*$)}")] HttpRequest request) =>
        Task.FromResult(ErrorResults.From(RouteErrors.Unknown(request.Method, request.Path)));
}
