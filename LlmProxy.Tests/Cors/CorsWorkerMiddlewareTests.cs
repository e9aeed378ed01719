using System.Collections.Immutable;
using LlmProxy.Core.Cors;
using LlmProxy.Functions.Cors;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmProxy.Tests.Cors;

/// <summary>
/// The Functions host's half of CORS, run the way the worker runs it: the ASP.NET Core integration puts the request's
/// HttpContext in the invocation's items, and the middleware must set the headers before the function writes.
/// </summary>
public sealed class CorsWorkerMiddlewareTests
{
    // The key under which Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore stores the HttpContext.
    private const string HttpContextKey = "HttpRequestContext";

    private static FakeFunctionContext Invocation(string origin, string method = "POST")
    {
        var services = new ServiceCollection()
            .AddSingleton(new CorsPolicy(Options.Create(new CorsOptions { AllowedOrigins = ["https://app.example"] })))
            .BuildServiceProvider();
        var http = new DefaultHttpContext { Request = { Method = method } };
        http.Request.Headers.Origin = origin;
        var context = new FakeFunctionContext(services);
        context.Items[HttpContextKey] = http;
        return context;
    }

    [Fact]
    public async Task Sets_the_allowed_origins_headers_before_the_function_runs()
    {
        var context = Invocation("https://app.example");
        string? seenByFunction = null;

        await new CorsWorkerMiddleware().Invoke(context, c =>
        {
            seenByFunction = ((HttpContext)c.Items[HttpContextKey]).Response.Headers.AccessControlAllowOrigin;
            return Task.CompletedTask;
        });

        Assert.Equal("https://app.example", seenByFunction);
        var headers = ((HttpContext)context.Items[HttpContextKey]).Response.Headers;
        Assert.Equal("Origin", headers.Vary);
        Assert.Contains("Retry-After", headers.AccessControlExposeHeaders.ToString());
    }

    [Fact]
    public async Task Leaves_other_origins_and_non_http_invocations_without_allow_origin()
    {
        var stranger = Invocation("https://evil.example");
        await new CorsWorkerMiddleware().Invoke(stranger, _ => Task.CompletedTask);
        Assert.False(((HttpContext)stranger.Items[HttpContextKey]).Response.Headers.ContainsKey("Access-Control-Allow-Origin"));

        var queue = new FakeFunctionContext(new ServiceCollection().BuildServiceProvider());
        var ran = false;
        await new CorsWorkerMiddleware().Invoke(queue, _ => { ran = true; return Task.CompletedTask; });
        Assert.True(ran);
    }

    private sealed class FakeFunctionContext(IServiceProvider services) : FunctionContext
    {
        public override string InvocationId => "test";
        public override string FunctionId => "test";
        public override TraceContext TraceContext => null!;
        public override BindingContext BindingContext => null!;
        public override RetryContext RetryContext => null!;
        public override IServiceProvider InstanceServices { get; set; } = services;
        public override FunctionDefinition FunctionDefinition => null!;
        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
        public override IInvocationFeatures Features => null!;
    }
}
