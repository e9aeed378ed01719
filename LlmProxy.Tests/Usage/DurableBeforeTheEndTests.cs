using System.Collections.Concurrent;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using LlmProxy.Core.Usage;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Tests.Vendors;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Usage;

/// <summary>
/// A stream's last event (<c>[DONE]</c> on the OpenAI chat doors, <c>message_stop</c> on <c>/v1/messages</c>, passed through
/// from Anthropic or translated, <c>response.completed</c> on <c>/v1/responses</c>) reaches the caller only once the call's usage event is durable: while its delivery is
/// held the caller has every other event but not the last, and once the caller has the last the event is in the store.
/// A whole answer likewise: none while the delivery is held, and the event is in the store once the caller has it.
/// </summary>
public sealed class DurableBeforeTheEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/chat/completions", "openai")]
    [InlineData("/v1/messages", "anthropic")]
    [InlineData("/v1/messages", "openai")]
    [InlineData("/v1/responses", "anthropic")]
    public async Task The_last_event_of_a_stream_waits_for_its_usage_event_to_be_recorded(string door, string provider)
    {
        await using var rig = await HeldRig.StartAsync(provider);
        var (host, queue) = (rig.Host, rig.Queue);
        using var request = rig.Request(door, stream: true);
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = new ConcurrentQueue<string>();
        var lastButOne = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lastWhileHeld = false;
        var reading = Task.Run(async () =>
        {
            var parser = SseParser.Create(await response.Content.ReadAsStreamAsync(Ct), (type, data) => type == "message" ? Encoding.UTF8.GetString(data) : type);
            await foreach (var item in parser.EnumerateAsync(Ct))
            {
                // Judged the moment the caller has it: had the proxy sent it before the delivery, it came with the event before.
                if (IsLast(item.Data)) lastWhileHeld = !queue.Released;
                received.Enqueue(item.Data);
                if (IsLastButOne(item.Data)) lastButOne.TrySetResult();
            }
        }, Ct);

        // The stream has sent its vendor's every event and hands its usage event over; the delivery is held.
        await queue.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await lastButOne.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.DoesNotContain(received, IsLast);
        Assert.Empty(await UsageRows.ReadAsync(host.DatabasePath));

        queue.Release();
        await reading.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.True(IsLast(received.Last()), "The stream: " + string.Join(" | ", received));
        Assert.False(lastWhileHeld, "The caller had the last event while the usage event was not yet recorded.");
        Assert.Equal("ok", Assert.Single(await UsageRows.ReadAsync(host.DatabasePath)).Status);
    }

    [Theory]
    [InlineData("/v1/chat/completions", "openai")]
    [InlineData("/v1/messages", "anthropic")]
    [InlineData("/v1/responses", "anthropic")]
    public async Task A_whole_answer_waits_for_its_usage_event_to_be_recorded(string door, string provider)
    {
        await using var rig = await HeldRig.StartAsync(provider);
        var (host, queue) = (rig.Host, rig.Queue);
        using var request = rig.Request(door, stream: false);
        var answering = host.Client.SendAsync(request, Ct);

        await queue.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.False(answering.IsCompleted, "The answer came before its usage event was recorded.");
        queue.Release();
        using var response = await answering.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Recorded by the time the caller has the answer: nothing left to wait for.
        Assert.Equal("ok", Assert.Single(await UsageRows.ReadAsync(host.DatabasePath)).Status);
    }

    private static bool IsLast(string data) => data is "[DONE]" or "message_stop" or "response.completed";

    /// <summary>What comes just before the last event: the chunk with the usage, Anthropic's <c>message_delta</c>, the Responses API's last item done.</summary>
    private static bool IsLastButOne(string data) => data is "message_delta" or "response.output_item.done" || data.Contains("\"usage\":{", StringComparison.Ordinal);

    /// <summary>A fake vendor and a proxy whose usage deliveries wait in a <see cref="HeldQueue"/>.</summary>
    private sealed class HeldRig(VendorCase vendorCase, FakeVendor fake, ProxyHost host) : IAsyncDisposable
    {
        public ProxyHost Host => host;
        public HeldQueue Queue => (HeldQueue)host.Services.GetRequiredService<IUsageQueue>();

        public static async Task<HeldRig> StartAsync(string provider)
        {
            var vendorCase = VendorCase.All[provider];
            var fake = await vendorCase.StartFake();
            var host = await ProxyHost.StartAsync(vendorCase.Settings(fake.ProxyBaseUrl, fake.ApiKey),
                configure: b => b.Services.AddSingleton<IUsageQueue>(sp => new HeldQueue(ActivatorUtilities.CreateInstance<InProcessUsageQueue>(sp))));
            return new HeldRig(vendorCase, fake, host);
        }

        /// <summary>A one-line question to the vendor's text model through <paramref name="door"/>.</summary>
        public HttpRequestMessage Request(string door, bool stream)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, door)
            {
                // On the OpenAI door the usage chunk comes only when asked for.
                Content = new StringContent(door == "/v1/responses"
                    ? $$"""{"model":"{{vendorCase.Provider}}/{{vendorCase.TextModel}}","max_output_tokens":50,"stream":{{(stream ? "true" : "false")}},"input":"hi"}"""
                    : $$"""{"model":"{{vendorCase.Provider}}/{{vendorCase.TextModel}}","max_tokens":50,"stream":{{(stream ? "true" : "false")}},{{(stream && door != "/v1/messages" ? "\"stream_options\":{\"include_usage\":true}," : "")}}"messages":[{"role":"user","content":"hi"}]}""",
                    Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("anthropic-version", "2023-06-01");
            return request;
        }

        public async ValueTask DisposeAsync()
        {
            await host.DisposeAsync();
            await fake.DisposeAsync();
        }
    }

    /// <summary>The real in-process queue, whose deliveries wait until the test releases them.</summary>
    private sealed class HeldQueue(IUsageQueue inner) : IUsageQueue
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;
        public bool Released => _released.Task.IsCompleted;
        public void Release() => _released.TrySetResult();
        public string Kind => inner.Kind;

        public async Task<Undelivered> DeliverAsync(IReadOnlyList<UsageEvent> events, CancellationToken cancellationToken)
        {
            _entered.TrySetResult();
            await _released.Task;
            return await inner.DeliverAsync(events, cancellationToken);
        }

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => inner.IsReachableAsync(cancellationToken);
    }
}
