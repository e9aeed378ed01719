using System.Text.Json.Nodes;
using LlmProxy.Functions.Functions;
using LlmProxy.Functions.Standalone;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Foundation;

/// <summary>The build's functions.metadata is what the Functions host indexes; it must list every function as designed.</summary>
public sealed class FunctionsMetadataTests
{
    private static JsonArray Metadata() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.FunctionsOutput, "functions.metadata")))!.AsArray();

    private static JsonObject Trigger(string function) =>
        Metadata().Single(f => f!["name"]!.GetValue<string>() == function)!["bindings"]!.AsArray()
            .Single(b => b!["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal))!.AsObject();

    [Theory]
    [InlineData("LlmProxy", "api/llm-proxy", "post")]
    [InlineData("ChatCompletions", "v1/chat/completions", "post")]
    [InlineData("Messages", "v1/messages", "post")]
    [InlineData("Models", "v1/models", "get")]
    [InlineData("Model", "v1/models/{*id}", "get")]
    [InlineData("Quota", "api/quota", "get")]
    [InlineData("Status", "api/llm-proxy/status", "get")]
    [InlineData("WebComponentScript", "_/js/{file}", "get")]
    [InlineData("WebComponentDemo", "_/demo", "get")]
    [InlineData("CorsPreflight", "{*path}", "options")]
    [InlineData("AdminRevokeSessions", "api/admin/sessions/revoke", "post")]
    public void Http_functions_have_their_routes_and_methods(string function, string route, string method)
    {
        var trigger = Trigger(function);
        Assert.Equal("httpTrigger", trigger["type"]!.GetValue<string>());
        Assert.Equal(route, trigger["route"]!.GetValue<string>());
        Assert.Equal([method], trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("Anonymous", trigger["authLevel"]!.GetValue<string>());
    }

    [Fact]
    public void UnknownRoute_takes_every_method_but_the_preflights_on_the_paths_no_other_function_serves()
    {
        var trigger = Trigger(UnknownRouteFunction.Name);
        Assert.Equal(["get", "post", "put", "patch", "delete", "head"], trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("{*path:regex(^(?!(" + UnknownRouteFunction.ServedPaths + ")/?$).*$)}", trigger["route"]!.GetValue<string>());
    }

    [Fact]
    public void RecordUsage_is_a_queue_trigger_on_usage_events()
    {
        var trigger = Trigger("RecordUsage");
        Assert.Equal("queueTrigger", trigger["type"]!.GetValue<string>());
        Assert.Equal("usage-events", trigger["queueName"]!.GetValue<string>());
        Assert.Equal("AzureWebJobsStorage", trigger["connection"]!.GetValue<string>());
    }

    [Fact]
    public void ResetQuotaPeriods_is_a_timer_on_the_schedule_setting()
    {
        var trigger = Trigger("ResetQuotaPeriods");
        Assert.Equal("timerTrigger", trigger["type"]!.GetValue<string>());
        Assert.Equal("%QuotaResetSchedule%", trigger["schedule"]!.GetValue<string>());
    }

    [Fact]
    public void The_standalone_host_serves_exactly_the_http_functions_of_the_metadata()
    {
        var fromMetadata = Metadata()
            .Select(f => (Name: f!["name"]!.GetValue<string>(), Binding: f["bindings"]!.AsArray().FirstOrDefault(b => b!["type"]!.GetValue<string>() == "httpTrigger")))
            .Where(f => f.Binding is not null)
            .Select(f => $"{f.Name} /{f.Binding!["route"]!.GetValue<string>()} {string.Join(",", f.Binding["methods"]!.AsArray().Select(m => m!.GetValue<string>().ToUpperInvariant()))}")
            .Order();
        var standalone = HttpTriggerRoutes.Discover(typeof(StandaloneHost).Assembly)
            .Select(r => $"{r.Function} {r.Template} {string.Join(",", r.Methods)}")
            .Order();
        Assert.Equal(fromMetadata, standalone);
    }

    [Fact]
    public void Host_json_has_an_empty_route_prefix_and_base64_queue_messages()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.FunctionsOutput, "host.json")))!;
        Assert.Equal("", host["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
        Assert.Equal("base64", host["extensions"]!["queues"]!["messageEncoding"]!.GetValue<string>());
    }
}
