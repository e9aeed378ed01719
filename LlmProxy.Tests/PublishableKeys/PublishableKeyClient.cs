using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.PublishableKeys;

/// <summary>What these tests do over and over: create keys through the admin API and call as a page would.</summary>
internal static class PublishableKeyClient
{
    public const string AdminKey = "admin-key-for-publishable-tests-0123456789";
    public const string Page = "https://shop.example";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static HttpRequestMessage CreateRequest(string tenant, string body) => new(HttpMethod.Post, $"/api/admin/tenants/{tenant}/keys")
    {
        Headers = { { "X-Admin-Key", AdminKey } },
        Content = new StringContent(body, Encoding.UTF8, "application/json"),
    };

    /// <summary>Models and budget a test key has unless a test gives its own.</summary>
    public const string DefaultScope = ""","allowedModels":["mock"],"tokenLimit":1000000""";

    /// <summary>
    /// A publishable key for <see cref="Page"/> with <paramref name="scope"/> (its models and budget) plus
    /// <paramref name="extraFields"/> (JSON members), as an operator creates one.
    /// </summary>
    public static async Task<string> CreateAsync(ProxyHost host, string tenant = "shop", string extraFields = "", string scope = DefaultScope)
    {
        using var response = await host.AnonymousClient.SendAsync(CreateRequest(tenant,
            $$"""{"name":"shop page","kind":"publishable","allowedOrigins":["{{Page}}"]{{scope}}{{extraFields}}}"""), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body);
        return JsonNode.Parse(body)!["key"]!.GetValue<string>();
    }

    /// <summary>The element's call: a system prompt and the text, streamed, with the page's user id.</summary>
    public static string ElementBody(string userId, string text = "Make this better", string extraFields = "", string model = "echo", string provider = "mock") =>
        $$"""{"provider":"{{provider}}","model":"{{model}}","messages":[{"role":"system","content":"Improve the text."},{"role":"user","content":"{{text}}"}],"stream":true,"userId":"{{userId}}"{{extraFields}}}""";

    public static HttpRequestMessage Call(string key, string? origin, string body, string path = "/api/llm-proxy")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (origin is not null) request.Headers.Add("Origin", origin);
        return request;
    }

    public static async Task<JsonNode> ErrorAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
