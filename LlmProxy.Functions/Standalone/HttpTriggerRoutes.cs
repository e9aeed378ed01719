using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Functions.Standalone;

/// <summary>
/// Maps every <c>[Function]</c> method with an <c>[HttpTrigger]</c> parameter to a Kestrel endpoint with the same
/// route and methods, so the attributes stay the one route table for both hosts.
/// </summary>
public static class HttpTriggerRoutes
{
    public sealed record Route(string Function, string Template, string[] Methods, Type Type, MethodInfo Method);

    public static IReadOnlyList<Route> Discover(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => (Type: t, Method: m)))
            .Select(x => (x.Type, x.Method, Function: x.Method.GetCustomAttribute<FunctionAttribute>(),
                Trigger: x.Method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(x => x.Function is not null && x.Trigger is not null)
            .Select(x => new Route(x.Function!.Name, "/" + (x.Trigger!.Route ?? x.Function.Name).TrimStart('/'),
                (x.Trigger.Methods ?? ["get", "post"]).Select(m => m.ToUpperInvariant()).ToArray(), x.Type, x.Method))
            .ToList();

    public static void Map(IEndpointRouteBuilder endpoints, Assembly assembly)
    {
        foreach (var route in Discover(assembly))
        {
            var parameters = route.Method.GetParameters();
            if (parameters.Any(p => p.ParameterType != typeof(HttpRequest)) || route.Method.ReturnType != typeof(Task<IActionResult>))
                throw new InvalidOperationException(
                    $"Function {route.Function} must take only an HttpRequest and return Task<IActionResult> to run in the standalone host.");

            var run = (Func<IServiceProvider, HttpRequest, Task<IActionResult>>)BindMethod.MakeGenericMethod(route.Type).Invoke(null, [route.Method])!;
            var action = new ActionDescriptor { DisplayName = route.Function };
            endpoints.MapMethods(route.Template, route.Methods, async context =>
            {
                var result = await run(context.RequestServices, context.Request);
                await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), action));
            }).WithDisplayName(route.Function);
        }
    }

    private static readonly MethodInfo BindMethod = typeof(HttpTriggerRoutes).GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>
    /// The function method as a typed delegate on a new instance from the request's services, bound once per route
    /// so that a call costs what a direct call does (no reflection per request).
    /// </summary>
    private static Func<IServiceProvider, HttpRequest, Task<IActionResult>> Bind<TFunction>(MethodInfo method) where TFunction : class
    {
        var create = ActivatorUtilities.CreateFactory<TFunction>(Type.EmptyTypes);
        var run = method.CreateDelegate<Func<TFunction, HttpRequest, Task<IActionResult>>>();
        return (services, request) => run(create(services, null), request);
    }
}
