using System.Text;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.WebComponent;

/// <summary>
/// What the element's Cancel does on the server: the browser aborts its fetch, the connection closes, and the proxy
/// stops the vendor's stream and records only what was sent.
/// </summary>
public sealed class StreamCancellationTests
{
    [Fact]
    public async Task Closing_the_connection_mid_stream_stops_the_vendor_and_records_a_client_closed_partial_call()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["LlmProxy:Providers:mock:ChunkDelayMs"] = "100",
        });
        var words = string.Join(' ', Enumerable.Range(0, 200).Select(i => $"w{i}"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy")
        {
            Content = new StringContent($$"""{"provider":"mock","model":"echo","stream":true,"userId":"canceller","messages":[{"role":"user","content":"{{words}}"}]}""", Encoding.UTF8, "application/json"),
        };

        var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        var stream = await response.Content.ReadAsStreamAsync(cancel);
        var received = 0;
        await foreach (var _ in SseReader.DataAsync(stream, cancel))
            if (++received == 4) break;
        response.Dispose(); // what an aborted fetch does: the connection closes mid-stream

        await host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(host.DatabasePath));
        Assert.Equal(("canceller", "client_closed", true), (row.UserId, row.Status, row.Stream));
        // 200 words at 100 ms each would take 20 s; only the few sent before the close are counted.
        Assert.InRange(row.CompletionTokens, 1, 50);
    }
}
