using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using LlmProxy.Core.Admin;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Usage;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Tests.Quotas;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Usage;

/// <summary>
/// The usage pipeline end to end: the Storage queue on Azurite read by the standalone host's consumer (the same
/// semantics as the RecordUsage trigger), and the in-process channel; exactly one recorded event per call.
/// </summary>
public sealed class UsagePipelineTests(AzuriteFixture azurite)
{
    private const string AdminKey = "pipeline-admin-key-0123456789abcdef";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Dictionary<string, string?> StorageQueueSettings(string queueName)
    {
        var settings = TestStores.Settings(StoreKindUnderTest.Tables, azurite);
        settings["LlmProxy:UsageQueue:Kind"] = "StorageQueue";
        settings["LlmProxy:UsageQueue:QueueName"] = queueName;
        settings["LlmProxy:UsageQueue:MaxDequeueCount"] = "2";
        settings["LlmProxy:UsageQueue:VisibilityTimeoutSeconds"] = "0";
        settings["LlmProxy:UsageQueue:MaxPollingIntervalMs"] = "100";
        settings["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0";
        // Reservations stay held until the queue delivers their events; small ones keep 1,000 calls within the quota.
        settings["LlmProxy:Quota:DefaultMaxTokens"] = "16";
        settings["LlmProxy:Admin:ApiKey"] = AdminKey;
        return settings;
    }

    private QueueClient Queue(string name) =>
        new(azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    private static UsageEvent Event(string tenant, int prompt) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        TenantId = tenant,
        UserId = "ana",
        Provider = "mock",
        Model = "echo",
        PromptTokens = prompt,
        CompletionTokens = 1,
        Status = UsageStatuses.Ok,
        HttpStatus = 200,
        Timestamp = DateTimeOffset.UtcNow,
    };

    private static async Task<(long Requests, long Tokens)> RecordedAsync(ProxyHost host, string? tenant)
    {
        var now = DateTimeOffset.UtcNow;
        var rows = await host.Services.GetRequiredService<IUsageStore>().AggregateAsync(new UsageQuery(tenant, null, now.AddDays(-1), now.AddDays(1)), Ct);
        return (rows.Sum(r => r.Requests), rows.Sum(r => r.TotalTokens));
    }

    /// <summary>Polls a queue until it holds <paramref name="count"/> messages (queues signal nothing), bounded by 30 s.</summary>
    private static async Task<string[]> WhenQueueHoldsAsync(QueueClient queue, int count)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var peeked = (await queue.PeekMessagesAsync(32, timeout.Token)).Value;
            if (peeked.Length >= count) return peeked.Select(m => m.Body.ToString()).ToArray();
            await Task.Delay(50, timeout.Token);
        }
    }

    [Fact]
    public async Task A_message_delivered_twice_counts_once_and_a_malformed_one_goes_to_poison_without_holding_up_the_others()
    {
        var queueName = AzuriteFixture.NewQueueName();
        var queue = Queue(queueName);
        await queue.CreateIfNotExistsAsync(cancellationToken: Ct);
        var twice = Event("acme", 10);
        var other = Event("acme", 20);
        await queue.SendMessageAsync("{ this is not a usage event", cancellationToken: Ct);
        await queue.SendMessageAsync(UsageEventSerializer.Serialize(twice), cancellationToken: Ct);
        await queue.SendMessageAsync(UsageEventSerializer.Serialize(twice), cancellationToken: Ct);
        await queue.SendMessageAsync(UsageEventSerializer.Serialize(other), cancellationToken: Ct);

        await using var host = await ProxyHost.StartAsync(StorageQueueSettings(queueName));
        await host.WhenUsageHandledAsync(3);

        Assert.Equal(2, host.Recorder.RecordedCount);
        Assert.Equal((2L, 32L), await RecordedAsync(host, "acme"));
        var poison = await WhenQueueHoldsAsync(Queue(queueName + "-poison"), 1);
        Assert.Equal("{ this is not a usage event", Assert.Single(poison));
        Assert.Equal(0, (await queue.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Admin_replay_recovers_a_poison_message()
    {
        var queueName = AzuriteFixture.NewQueueName();
        var poison = Queue(queueName + "-poison");
        await poison.CreateIfNotExistsAsync(cancellationToken: Ct);
        // A good event that failed earlier (its store was down, say) and was parked in the poison queue.
        var parked = Event("globex", 40);
        await poison.SendMessageAsync(UsageEventSerializer.Serialize(parked), cancellationToken: Ct);

        await using var host = await ProxyHost.StartAsync(StorageQueueSettings(queueName));
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.PostAsync("/api/admin/usage/poison/replay", null, Ct)).StatusCode);
        host.Client.DefaultRequestHeaders.Add(AdminKeyCheck.Header, AdminKey);
        var replay = await host.Client.PostAsync("/api/admin/usage/poison/replay", null, Ct);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(1, JsonNode.Parse(await replay.Content.ReadAsStringAsync(Ct))!["replayed"]!.GetValue<int>());
        await host.Recorder.WhenRecordedAsync(1, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Equal((1L, 41L), await RecordedAsync(host, "globex"));
        Assert.Equal(0, (await poison.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_thousand_calls_through_the_storage_queue_across_a_host_restart_record_a_thousand_events()
    {
        var settings = StorageQueueSettings(AzuriteFixture.NewQueueName());
        long recordedBeforeRestart, tokensSent;
        await using (var first = await ProxyHost.StartAsync(settings))
        {
            tokensSent = await CallAsync(first, 500);
            await first.StopAsync();
            recordedBeforeRestart = first.Recorder.RecordedCount;
        }

        await using var second = await ProxyHost.StartAsync(settings);
        tokensSent += await CallAsync(second, 500);
        await second.Recorder.WhenRecordedAsync(1000 - recordedBeforeRestart, new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);

        var recorded = await RecordedAsync(second, "acme");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"storage queue: 1000 sent, {recordedBeforeRestart} recorded before the restart, {second.Recorder.RecordedCount} after, {recorded.Requests} in the store ({second.Recorder.HandledCount - second.Recorder.RecordedCount} duplicates ignored)");
        Assert.Equal((1000L, tokensSent), recorded);
    }

    [Fact]
    public async Task A_thousand_calls_through_the_in_process_queue_across_a_host_restart_record_a_thousand_events()
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0", ["LlmProxy:Quota:DefaultMaxTokens"] = "16" };
        long tokensSent;
        await using (var first = await ProxyHost.StartAsync(settings, data.Path))
        {
            tokensSent = await CallAsync(first, 500);
            // Stopping drains the channel: every event published before the stop is recorded.
            await first.StopAsync();
            Assert.Equal(500, first.Recorder.RecordedCount);
        }

        await using var second = await ProxyHost.StartAsync(settings, data.Path);
        tokensSent += await CallAsync(second, 500);
        await second.Recorder.WhenRecordedAsync(500, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        var rows = await UsageRows.ReadAsync(second.DatabasePath);
        TestContext.Current.TestOutputHelper?.WriteLine($"in-process queue: 1000 sent, {rows.Count} rows recorded");
        Assert.Equal(1000, rows.Count);
        Assert.Equal(1000, rows.Select(r => r.Id).Distinct().Count());
        Assert.Equal(tokensSent, rows.Sum(r => (long)r.PromptTokens + r.CompletionTokens));
    }

    /// <summary>Makes <paramref name="count"/> calls of eight users, 16 at a time; returns the tokens the answers reported.</summary>
    private static async Task<long> CallAsync(ProxyHost host, int count)
    {
        long tokens = 0;
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (i, ct) =>
        {
            var response = await host.Client.PostAsync("/api/llm-proxy", QuotaEndToEndTests.Seed("acme", "user" + (i % 8)), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var usage = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["usage"]!["total_tokens"]!.GetValue<long>();
            Interlocked.Add(ref tokens, usage);
        });
        return tokens;
    }
}
