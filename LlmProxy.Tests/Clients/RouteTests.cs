using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LlmProxy.Functions.Functions;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Clients;

/// <summary>
/// A request no function takes gets the unified error naming its method and path (404, or 405 with the methods the path
/// takes), and the catch-all that answers it never takes a request meant for another function, in whatever order a host
/// tries the routes.
/// </summary>
public sealed class RouteTests : IAsyncLifetime
{
    private ProxyHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await ProxyHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static IEnumerable<(string Function, string Route)> HttpRoutes() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.FunctionsOutput, "functions.metadata")))!.AsArray()
            .Select(f => (Name: f!["name"]!.GetValue<string>(), Binding: f["bindings"]!.AsArray().FirstOrDefault(b => b!["type"]!.GetValue<string>() == "httpTrigger")))
            .Where(f => f.Binding is not null)
            .Select(f => (f.Name, f.Binding!["route"]!.GetValue<string>()));

    /// <summary>The catch-all's constraint as the Functions host applies it: ASP.NET Core's regex constraint, case-insensitive.</summary>
    private static Regex CatchAll()
    {
        var route = HttpRoutes().Single(r => r.Function == UnknownRouteFunction.Name).Route;
        var pattern = route["{*path:regex(".Length..^")}".Length];
        return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
    }

    /// <summary>A path the route template matches: each parameter filled in (a catch-all with two segments).</summary>
    private static string Sample(string template) =>
        Regex.Replace(Regex.Replace(template, @"\{\*[^}]+\}", "some/thing"), @"\{[^}]+\}", "x1");

    [Fact]
    public void The_catch_all_takes_no_path_another_function_serves()
    {
        var others = HttpRoutes().Where(r => r.Function is not (UnknownRouteFunction.Name or "CorsPreflight")).ToList();
        Assert.True(others.Count > 20, "the metadata lists the functions");
        var catchAll = CatchAll();
        foreach (var (function, route) in others)
            foreach (var path in new[] { Sample(route), Sample(route) + "/", Sample(route).ToUpperInvariant() })
                Assert.False(catchAll.IsMatch(path), $"The UnknownRoute constraint also takes '{path}', which {function} serves: add its route to UnknownRouteFunction.ServedPaths.");
    }

    [Theory]
    [InlineData("v1/nope")]
    [InlineData("v1/models2")]
    [InlineData("v1/chat/completions/x")]
    [InlineData("api/llm-proxy/other")]
    [InlineData("api/admin/nope")]
    [InlineData("usage/assets")]
    [InlineData("chat/completions")]
    public void The_catch_all_takes_paths_no_function_serves(string path) => Assert.Matches(CatchAll(), path);

    private async Task<(HttpResponseMessage Response, JsonNode Error)> SendAsync(HttpMethod method, string path)
    {
        var response = await _host.AnonymousClient.SendAsync(new HttpRequestMessage(method, path), Ct);
        return (response, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!);
    }

    [Theory]
    [InlineData("GET", "/v1/nope")]
    [InlineData("POST", "/v1/chat/completion")]
    [InlineData("GET", "/")]
    [InlineData("DELETE", "/api/llm-proxy/anything")]
    public async Task An_unknown_path_gets_404_naming_the_method_and_the_path(string method, string path)
    {
        var (response, error) = await SendAsync(new HttpMethod(method), path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(("not_found_error", "unknown_route"), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
        Assert.Contains($"{method} {path}", error["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("POST", "/v1/models", "GET")]
    [InlineData("GET", "/v1/chat/completions", "POST")]
    [InlineData("DELETE", "/api/admin/quotas", "GET, PUT")]
    [InlineData("PATCH", "/api/admin/tenants/acme/keys", "GET, POST")]
    public async Task A_method_the_path_does_not_take_gets_405_naming_the_ones_it_does(string method, string path, string allowed)
    {
        var (response, error) = await SendAsync(new HttpMethod(method), path);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("method_not_allowed", error["code"]!.GetValue<string>());
        Assert.Equal($"{path} does not take {method}; it takes {allowed}.", error["message"]!.GetValue<string>());
        Assert.Equal(allowed + ", OPTIONS", string.Join(", ", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task The_routes_around_the_catch_all_still_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync("/v1/models", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync("/v1/models/mock%2Fecho", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.AnonymousClient.GetAsync("/_/demo", Ct)).StatusCode);
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/nope");
        preflight.Headers.Add("Origin", "http://localhost:5173");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        Assert.Equal(HttpStatusCode.NoContent, (await _host.AnonymousClient.SendAsync(preflight, Ct)).StatusCode);
        var call = await _host.Client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"mock/echo","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"), Ct);
        Assert.NotEqual(HttpStatusCode.NotFound, call.StatusCode);
    }
}
