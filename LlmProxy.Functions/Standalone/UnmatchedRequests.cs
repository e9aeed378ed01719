using System.Reflection;
using LlmProxy.Functions.Functions;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace LlmProxy.Functions.Standalone;

/// <summary>
/// Answers what no function took with the unified error instead of routing's bare status: 405 naming the methods
/// (<c>Allow</c>) when some function serves the path with another method, else 404 as <see cref="UnknownRouteFunction"/>
/// answers (which its route constraint leaves some requests to: the root path, methods it does not list). The Functions
/// host answers these itself.
/// </summary>
internal sealed class UnmatchedRequests
{
    private static readonly string[] MethodOrder = [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete];

    private readonly RequestDelegate _next;
    private readonly (TemplateMatcher Matcher, string[] Methods)[] _routes;

    public UnmatchedRequests(RequestDelegate next)
    {
        _next = next;
        _routes = HttpTriggerRoutes.Discover(typeof(UnknownRouteFunction).Assembly)
            .Where(r => r.Function != UnknownRouteFunction.Name && !r.Methods.SequenceEqual([HttpMethods.Options]))
            .Select(r => (new TemplateMatcher(TemplateParser.Parse(r.Template.TrimStart('/')), new RouteValueDictionary()), r.Methods))
            .ToArray();
    }

    public async Task InvokeAsync(HttpContext context)
    {
        await _next(context);
        var response = context.Response;
        if (response.HasStarted || response.StatusCode is not (StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)) return;

        var path = context.Request.Path;
        var allowed = _routes.Where(r => r.Matcher.TryMatch(path, new RouteValueDictionary())).SelectMany(r => r.Methods)
            .Distinct().OrderBy(m => Array.IndexOf(MethodOrder, m)).ToList();
        var error = allowed.Count == 0
            ? RouteErrors.Unknown(context.Request.Method, path)
            : RouteErrors.MethodNotAllowed(context.Request.Method, path, string.Join(", ", allowed));
        if (allowed.Count > 0) response.Headers.Allow = string.Join(", ", allowed.Append(HttpMethods.Options));
        await ErrorResults.From(error).ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }
}
