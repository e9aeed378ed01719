using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Core.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.BadInput;

/// <summary>
/// One table of bad inputs, each sent over loopback to a running host: every one gets the right 4xx with the
/// unified error body, and the store is exactly as it was before.
/// </summary>
public sealed class BadInputTests(BadInputTests.Host fixture) : IClassFixture<BadInputTests.Host>
{
    public sealed class Host : IAsyncLifetime
    {
        public ProxyHost Proxy { get; private set; } = null!;
        public string AcmeKey { get; private set; } = "";

        public async ValueTask InitializeAsync()
        {
            Proxy = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["LlmProxy:MaxRequestBodyBytes"] = "4096" });
            AcmeKey = await Proxy.KeyForAsync("acme");
        }

        public async ValueTask DisposeAsync() => await Proxy.DisposeAsync();
    }

    private const string Seed = "/api/llm-proxy";
    private const string OpenAI = "/v1/chat/completions";
    private const string Hi = """[{"role":"user","content":"hi"}]""";

    private static string With(string fields) => $$"""{"provider":"mock","model":"echo",{{fields}}}""";
    private static string Msg(string message) => With($$"""
        "messages":[{{message}}]
        """.Trim());
    private static string Part(string part) => Msg($$"""{"role":"user","content":[{{part}}]}""");

    public enum Key { Acme, None, Wrong }

    public static TheoryData<string, string, string, Key, int, string> Cases => new()
    {
        { "malformed JSON", Seed, """{"provider":""", Key.Acme, 400, "invalid_request_error" },
        { "truncated JSON", Seed, """{"provider":"mock","model":"echo","messages":[{"role":"user","content":"hi"}""", Key.Acme, 400, "invalid_request_error" },
        { "empty body", Seed, "", Key.Acme, 400, "invalid_request_error" },
        { "JSON array", Seed, "[1,2]", Key.Acme, 400, "invalid_request_error" },
        { "JSON string", Seed, "\"hello\"", Key.Acme, 400, "invalid_request_error" },
        { "JSON null", Seed, "null", Key.Acme, 400, "invalid_request_error" },
        { "missing model", Seed, """{"provider":"mock","messages":[{"role":"user","content":"hi"}]}""", Key.Acme, 400, "invalid_request_error" },
        { "missing messages", Seed, """{"provider":"mock","model":"echo"}""", Key.Acme, 400, "invalid_request_error" },
        { "empty messages", Seed, With("\"messages\":[]"), Key.Acme, 400, "invalid_request_error" },
        { "messages not an array", Seed, With("\"messages\":\"hi\""), Key.Acme, 400, "invalid_request_error" },
        { "message not an object", Seed, Msg("42"), Key.Acme, 400, "invalid_request_error" },
        { "unknown role", Seed, Msg("""{"role":"robot","content":"hi"}"""), Key.Acme, 400, "invalid_request_error" },
        { "missing role", Seed, Msg("""{"content":"hi"}"""), Key.Acme, 400, "invalid_request_error" },
        { "content a number", Seed, Msg("""{"role":"user","content":5}"""), Key.Acme, 400, "invalid_request_error" },
        { "content an empty array", Seed, Msg("""{"role":"user","content":[]}"""), Key.Acme, 400, "invalid_request_error" },
        { "unknown part type", Seed, Part("""{"type":"audio","data":"x"}"""), Key.Acme, 400, "invalid_request_error" },
        { "text part without text", Seed, Part("""{"type":"text"}"""), Key.Acme, 400, "invalid_request_error" },
        { "image part without url", Seed, Part("""{"type":"image_url","image_url":{}}"""), Key.Acme, 400, "invalid_request_error" },
        { "invalid base64 in a data URL", Seed, Part("""{"type":"image_url","image_url":{"url":"data:image/png;base64,@@@not base64@@@"}}"""), Key.Acme, 400, "invalid_request_error" },
        { "non-image data URL", Seed, Part("""{"type":"image_url","image_url":{"url":"data:text/plain;base64,aGVsbG8="}}"""), Key.Acme, 400, "invalid_request_error" },
        { "image URL that is not http(s)", Seed, Part("""{"type":"image_url","image_url":{"url":"ftp://example.com/a.png"}}"""), Key.Acme, 400, "invalid_request_error" },
        { "temperature a string", Seed, With($"\"temperature\":\"hot\",\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "temperature too high", Seed, With($"\"temperature\":7,\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "temperature negative", Seed, With($"\"temperature\":-1,\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "top_p above 1", Seed, With($"\"top_p\":2,\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "max_tokens negative", Seed, With($"\"max_tokens\":-5,\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "max_tokens zero", Seed, With($"\"max_tokens\":0,\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "max_tokens beyond any integer", Seed, With($"\"max_tokens\":1000000000000,\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "max_tokens huge", Seed, With($"\"max_tokens\":5000000,\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "n too large", Seed, With($"\"n\":100,\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "too many stop sequences", Seed, With($"\"stop\":[{string.Join(",", Enumerable.Range(0, 20).Select(i => $"\"s{i}\""))}],\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "stop a number", Seed, With($"\"stop\":5,\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "stream not a boolean", Seed, With($"\"stream\":\"yes\",\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "cache not a boolean", Seed, With($"\"cache\":\"no\",\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "tenantId with a slash", Seed, With($"\"tenantId\":\"a/b\",\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "tenantId with a hash", Seed, With($"\"tenantId\":\"a#b\",\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "userId with a question mark", Seed, With($"\"userId\":\"a?b\",\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "userId with a backslash", Seed, With($"\"userId\":\"a\\\\b\",\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "userId with a control character", Seed, With($"\"userId\":\"a\\u0001b\",\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "userId of absurd length", Seed, With($"\"userId\":\"{new string('u', 500)}\",\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "tenantId a number", Seed, With($"\"tenantId\":7,\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "another tenant than the key's", Seed, With($"\"tenantId\":\"globex\",\"messages\":{Hi}"), Key.Acme, 403, "permission_denied" },
        { "unknown provider", Seed, $$"""{"provider":"nope","model":"x","messages":{{Hi}}}""", Key.Acme, 400, "invalid_request_error" },
        { "provider a number", Seed, $$"""{"provider":3,"model":"x","messages":{{Hi}}}""", Key.Acme, 400, "invalid_request_error" },
        { "model with a control character", Seed, $$"""{"provider":"mock","model":"e\u0007cho","messages":{{Hi}}}""", Key.Acme, 400, "invalid_request_error" },
        { "bare model no catalog lists (OpenAI route)", OpenAI, $$"""{"model":"no-such-model","messages":{{Hi}}}""", Key.Acme, 400, "invalid_request_error" },
        { "model with an empty provider (OpenAI route)", OpenAI, $$"""{"model":"/gpt-4o","messages":{{Hi}}}""", Key.Acme, 400, "invalid_request_error" },
        { "model with an empty name (OpenAI route)", OpenAI, $$"""{"model":"openai/","messages":{{Hi}}}""", Key.Acme, 400, "invalid_request_error" },
        { "unknown provider (OpenAI route)", OpenAI, $$"""{"model":"nope/x","messages":{{Hi}}}""", Key.Acme, 400, "invalid_request_error" },
        { "lone surrogate in content", Seed, Msg("""{"role":"user","content":"a\ud800b"}"""), Key.Acme, 400, "invalid_request_error" },
        { "lone low surrogate in a text part", Seed, Part("""{"type":"text","text":"\udc00"}"""), Key.Acme, 400, "invalid_request_error" },
        { "surrogates in the wrong order", Seed, Msg("""{"role":"user","content":"\udc00\ud800"}"""), Key.Acme, 400, "invalid_request_error" },
        { "lone surrogate in userId", Seed, With($"\"userId\":\"\\ud800\",\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "lone surrogate in provider", Seed, $$"""{"provider":"mo\ud800ck","model":"echo","messages":{{Hi}}}""", Key.Acme, 400, "invalid_request_error" },
        { "lone surrogate in an unknown field", Seed, With($"\"x_note\":\"\\ud800\",\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "lone surrogate in a field name", Seed, With($"\"x\\ud800\":1,\"messages\":{Hi}"), Key.Acme, 400, "invalid_request_error" },
        { "lone surrogate in model (OpenAI route)", OpenAI, $$"""{"model":"mock/ech\ud800o","messages":{{Hi}}}""", Key.Acme, 400, "invalid_request_error" },
        { "lone surrogate in user (OpenAI route)", OpenAI, $$"""{"model":"mock/echo","user":"\ud800","messages":{{Hi}}}""", Key.Acme, 400, "invalid_request_error" },
        { "missing key", Seed, With($"\"messages\":{Hi}"), Key.None, 401, "authentication_error" },
        { "wrong key", Seed, With($"\"messages\":{Hi}"), Key.Wrong, 401, "authentication_error" },
        { "missing key (OpenAI route)", OpenAI, $$"""{"model":"mock/echo","messages":{{Hi}}}""", Key.None, 401, "authentication_error" },
        { "body over the limit", Seed, With($"\"messages\":[{{\"role\":\"user\",\"content\":\"{new string('x', 5000)}\"}}]"), Key.Acme, 413, "request_too_large" },
        { "quota of another tenant", "/api/quota?tenantId=globex", "", Key.Acme, 403, "permission_denied" },
        { "quota with a forbidden tenant id", "/api/quota?tenantId=a%2Fb", "", Key.Acme, 400, "invalid_request_error" },
        { "quota without a key", "/api/quota", "", Key.None, 401, "authentication_error" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_the_right_4xx_with_the_unified_error_and_leaves_the_store_unchanged(string name, string path, string body, Key key, int status, string type)
    {
        var before = await StoreSnapshotAsync();

        using var request = new HttpRequestMessage(path.StartsWith("/api/quota", StringComparison.Ordinal) ? HttpMethod.Get : HttpMethod.Post, path);
        if (request.Method == HttpMethod.Post) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (key != Key.None) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key == Key.Acme ? fixture.AcmeKey : "lpk_not-a-real-key");
        var response = await fixture.Proxy.AnonymousClient.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.True(status == (int)response.StatusCode, $"{name}: expected {status}, got {(int)response.StatusCode}");
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]!;
        Assert.Equal(type, error["type"]!.GetValue<string>());
        Assert.Equal(status, error["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()), name);
        Assert.DoesNotContain(fixture.AcmeKey, error.ToJsonString());
        Assert.Equal(before, await StoreSnapshotAsync());
    }

    [Fact]
    public async Task A_header_value_with_a_bare_carriage_return_is_refused_before_the_proxy_runs()
    {
        var before = await StoreSnapshotAsync();
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", fixture.Proxy.BaseAddress.Port, TestContext.Current.CancellationToken);
        var stream = socket.GetStream();
        var raw = $"POST /api/llm-proxy HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {fixture.AcmeKey}\rInjected: yes\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(raw), TestContext.Current.CancellationToken);
        var answer = await new StreamReader(stream).ReadToEndAsync(TestContext.Current.CancellationToken);

        // Kestrel refuses the malformed request line itself (RFC 9112 forbids a bare CR), so no handler sees it.
        Assert.StartsWith("HTTP/1.1 400", answer);
        Assert.Equal(before, await StoreSnapshotAsync());
    }

    private async Task<string> StoreSnapshotAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={fixture.Proxy.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var counts = new List<string>();
        foreach (var table in new[] { "usage_events", "quota_counters", "quota_overrides", "api_keys", "response_cache", "request_log" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table}";
            counts.Add($"{table}={await command.ExecuteScalarAsync(TestContext.Current.CancellationToken)}");
        }
        var (reservations, requests) = fixture.Proxy.Services.GetRequiredService<SqliteStore>().Ledger.Totals();
        counts.Add($"reservations={reservations}, rate-limited requests={requests}");
        return string.Join(", ", counts);
    }
}
