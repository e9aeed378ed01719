using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Caching;

/// <summary>
/// With the cache on, a stream is kept for the cache only while it fits <c>MaxEntryBytes</c>: a long stream must not
/// be held whole in memory just to be found too large at its end.
/// </summary>
[Collection(MemoryCollection.Name)]
public sealed class CachedStreamMemoryTests
{
    private const int Chunks = 800;
    private const int PadBytes = 128 * 1024;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stream_over_the_cache_cap_is_not_buffered_while_it_runs()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (vendor, root) = await LoopbackServer.StartAsync(app => app.MapPost("/v1/chat/completions", async context =>
        {
            // Each chunk carries a field the proxy does not model (kept and forwarded as it came), so the text the
            // accounting keeps for its estimate stays tiny and only the cache's buffer can hold the padding.
            context.Response.ContentType = "text/event-stream";
            var pad = new string('p', PadBytes);
            for (var i = 0; i < Chunks; i++)
                await Send(context, $$$"""{"id":"chatcmpl-pad","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"x"}}],"x_pad":"{{{pad}}}"}""");
            await release.Task.WaitAsync(context.RequestAborted);
            await Send(context, """{"id":"chatcmpl-pad","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":800,"total_tokens":803}}""");
            await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
        }));
        await using var _ = vendor;
        await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["LlmProxy:Providers:openai:ApiKey"] = "sk-pad",
            ["LlmProxy:Providers:openai:BaseUrl"] = new Uri(root, "v1/").ToString(),
        });

        using var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await host.KeyForAsync("acme"));
        var before = MemoryCollection.LiveBytes();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy")
        {
            Content = new StringContent("""{"provider":"openai","model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"pad"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("MISS", response.Headers.GetValues("X-Cache").Single());
        await using var body = await response.Content.ReadAsStreamAsync(Ct);
        var frames = SseReader.DataAsync(body, Ct).GetAsyncEnumerator(Ct);
        for (var i = 0; i < Chunks; i++) Assert.True(await frames.MoveNextAsync());

        // Every padded chunk has passed through the proxy; the stream is still open.
        var held = MemoryCollection.LiveBytes() - before;
        TestContext.Current.TestOutputHelper?.WriteLine($"{Chunks} chunks of {PadBytes / 1024} KiB streamed ({Chunks * (long)PadBytes / (1024 * 1024)} MiB); managed memory held mid-stream: {held / (1024 * 1024)} MiB");
        release.SetResult();
        while (await frames.MoveNextAsync()) { }
        await frames.DisposeAsync();

        Assert.True(held < 32L * 1024 * 1024, $"the proxy held {held / (1024 * 1024)} MiB of a stream too large to cache");
    }

    private static async Task Send(HttpContext context, string json)
    {
        await context.Response.WriteAsync($"data: {json}\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
}
