using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LlmProxy.Core;
using LlmProxy.Core.Admin;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Usage;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmProxy.Tests.Usage;

/// <summary>
/// The usage queue fails for a while, then heals: every call is still answered, every event waits in the outbox and is
/// recorded exactly once afterwards, and every reservation stays held until its event is recorded. In-process (a queue
/// that fails on command in front of the real recorder) and through the Storage queue on Azurite behind a closed port.
/// </summary>
public sealed class QueueFailureTests(AzuriteFixture azurite)
{
    private const string AdminKey = ProxyHost.TestAdminKey;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> Settings(FakeVendor vendor, params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["LlmProxy:Admin:ApiKey"] = AdminKey,
            ["LlmProxy:Providers:openai:ApiKey"] = FakeOpenAIVendor.Key,
            ["LlmProxy:Providers:openai:BaseUrl"] = vendor.ProxyBaseUrl.ToString(),
            ["LlmProxy:Cache:Enabled"] = "false",
            ["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0",
        };
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }

    [Fact]
    public async Task While_the_queue_fails_calls_are_answered_events_wait_and_reservations_stay_held_then_each_event_is_recorded_once()
    {
        const int duringOutage = 20;
        await using var vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        await using var host = await ProxyHost.StartAsync(Settings(vendor, ("LlmProxy:UsageOutbox:MaxEvents", (duringOutage + 1).ToString())),
            configure: b => b.Services.AddSingleton<IUsageQueue>(sp => new FailingQueue(ActivatorUtilities.CreateInstance<InProcessUsageQueue>(sp))));
        var queue = (FailingQueue)host.Services.GetRequiredService<IUsageQueue>();
        queue.Failing = true;

        // Every call is answered in full although its usage cannot be recorded.
        var tokens = new long[duringOutage];
        await Parallel.ForAsync(0, duringOutage, Ct, async (i, ct) =>
        {
            var (status, complete, body) = await ChatCalls.CallAsync(host.Client, "u" + i, stream: i % 2 == 1, ct);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(complete);
            if (i == 0) tokens[0] = JsonNode.Parse(body)!["usage"]!["total_tokens"]!.GetValue<long>();
        });
        var (duringStatus, during) = await OutboxStatus.ReadAsync(host.AnonymousClient, Ct);
        Assert.Equal(HttpStatusCode.OK, duringStatus);
        Assert.Equal(duringOutage, during["outbox"]!["events"]!.GetValue<long>());
        Assert.True(during["outbox"]!["admitting"]!.GetValue<bool>());
        Assert.Equal(0, host.Recorder.RecordedCount);

        // u0's call holds its reservation: with a limit of 1.5 reservations, a second call fits only if it were released.
        var held = await QuotaAsync(host, "u0");
        Assert.Equal(0, held["used"]!.GetValue<long>());
        var reserved = held["reserved"]!.GetValue<long>();
        Assert.True(reserved > 0);
        await SetUserLimitAsync(host, "u0", reserved + reserved / 2);
        var refused = await ChatCalls.CallAsync(host.Client, "u0", stream: false, Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Contains("insufficient_quota", refused.Body);

        // One more event fills the outbox (MaxEvents); then new calls are refused rather than served unmetered.
        Assert.Equal(HttpStatusCode.OK, (await ChatCalls.CallAsync(host.Client, "u" + duringOutage, stream: false, Ct)).Status);
        var full = await ChatCalls.CallAsync(host.Client, "late", stream: false, Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full.Status);
        Assert.Contains("metering_unavailable", full.Body);
        var (fullStatus, fullBody) = await OutboxStatus.ReadAsync(host.AnonymousClient, Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, fullStatus);
        Assert.Equal("degraded", fullBody["status"]!.GetValue<string>());
        Assert.False(fullBody["outbox"]!["admitting"]!.GetValue<bool>());

        queue.Failing = false;
        using var healed = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        healed.CancelAfter(TimeSpan.FromSeconds(60));
        await host.Recorder.WhenRecordedAsync(duringOutage + 1, healed.Token);
        await OutboxStatus.WhenEmptyAsync(host.AnonymousClient, Ct);

        var rows = await UsageRows.ReadAsync(host.DatabasePath);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"in-process queue down: {duringOutage + 1} calls answered, {queue.FailedAttempts} failed deliveries, {rows.Count} events recorded after it healed");
        Assert.Equal(Enumerable.Range(0, duringOutage + 1).Select(i => "u" + i).Order(), rows.Select(r => r.UserId).Order());
        Assert.Equal(rows.Count, rows.Select(r => r.Id).Distinct().Count());
        Assert.True(queue.FailedAttempts >= 1);
        var settled = await QuotaAsync(host, "u0");
        Assert.Equal(tokens[0], settled["used"]!.GetValue<long>());
        Assert.Equal(0, settled["reserved"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, (await ChatCalls.CallAsync(host.Client, "late", stream: true, Ct)).Status);
    }

    [Fact]
    public async Task A_Storage_queue_unreachable_from_the_start_is_created_and_fed_once_it_can_be_reached()
    {
        const int calls = 10;
        await using var vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        await using var gate = new TcpGate(azurite.QueuePort);
        var queueName = AzuriteFixture.NewQueueName();
        await using var host = await ProxyHost.StartAsync(Settings(vendor,
            ("AzureWebJobsStorage", azurite.ConnectionStringWithQueuePort(gate.Port)),
            ("LlmProxy:UsageQueue:Kind", "StorageQueue"),
            ("LlmProxy:UsageQueue:QueueName", queueName),
            ("LlmProxy:UsageQueue:MaxPollingIntervalMs", "100")));

        await Parallel.ForAsync(0, calls, Ct, async (i, ct) =>
        {
            var (status, complete, _) = await ChatCalls.CallAsync(host.Client, "u" + i, stream: i % 2 == 1, ct);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(complete);
        });
        var (status, during) = await OutboxStatus.ReadAsync(host.AnonymousClient, Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.False(during["queue"]!["reachable"]!.GetValue<bool>());
        Assert.Equal(calls, during["outbox"]!["events"]!.GetValue<long>());

        gate.Open();
        using var healed = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        healed.CancelAfter(TimeSpan.FromSeconds(90));
        await host.Recorder.WhenRecordedAsync(calls, healed.Token);
        await OutboxStatus.WhenEmptyAsync(host.AnonymousClient, Ct);

        var rows = await UsageRows.ReadAsync(host.DatabasePath);
        // A send that timed out on a busy machine may still have reached the queue, so a few events can be delivered
        // twice: each is recorded once.
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"storage queue unreachable: {calls} calls answered, {rows.Count} events recorded after it healed ({host.Recorder.HandledCount - host.Recorder.RecordedCount} duplicate deliveries ignored)");
        Assert.Equal(Enumerable.Range(0, calls).Select(i => "u" + i).Order(), rows.Select(r => r.UserId).Order());
        Assert.True((await new Azure.Storage.Queues.QueueClient(azurite.ConnectionString, queueName).ExistsAsync(Ct)).Value);
    }

    [Fact]
    public async Task Events_left_in_the_outbox_are_recorded_at_the_next_start_and_one_already_recorded_counts_once()
    {
        await using var vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        using var data = new TempDirectory();
        IReadOnlyList<UsageEvent> recordedFirst;
        await using (var first = await ProxyHost.StartAsync(Settings(vendor), data.Path,
            b => b.Services.AddSingleton<IUsageQueue>(sp => new FailingQueue(ActivatorUtilities.CreateInstance<InProcessUsageQueue>(sp)))))
        {
            for (var i = 0; i < 3; i++) Assert.True((await ChatCalls.CallAsync(first.Client, "early" + i, stream: false, Ct)).Complete);
            await OutboxStatus.WhenEmptyAsync(first.AnonymousClient, Ct);
            recordedFirst = await first.Services.GetRequiredService<LlmProxy.Core.Storage.IUsageStore>().ListAsync("acme", null, DateTimeOffset.UtcNow.AddHours(-1), 100, Ct);
            ((FailingQueue)first.Services.GetRequiredService<IUsageQueue>()).Failing = true;
            for (var i = 0; i < 5; i++) Assert.True((await ChatCalls.CallAsync(first.Client, "late" + i, stream: i % 2 == 0, Ct)).Complete);
            // Stopping makes one last pass, which fails too: the five stay in the file.
        }
        Assert.Equal(3, (await UsageRows.ReadAsync(Path.Combine(data.Path, "proxy.db"))).Count);

        // As if the process had died between recording these three and removing them from the outbox.
        using (var outbox = new UsageOutbox(Options.Create(new UsageOutboxOptions()), Options.Create(new StoreOptions { SqlitePath = Path.Combine(data.Path, "proxy.db") }),
            new HostInfo(HostKind.Standalone), TimeProvider.System, NullLogger<UsageOutbox>.Instance))
        {
            foreach (var usage in recordedFirst) await outbox.AddAsync(usage);
            Assert.Equal(8, outbox.Backlog().Events);
        }

        await using var second = await ProxyHost.StartAsync(Settings(vendor), data.Path);
        await OutboxStatus.WhenEmptyAsync(second.AnonymousClient, Ct);
        var rows = await UsageRows.ReadAsync(second.DatabasePath);
        Assert.Equal(["early0", "early1", "early2", "late0", "late1", "late2", "late3", "late4"], rows.Select(r => r.UserId).Order());
        Assert.Equal(5, second.Recorder.RecordedCount);
        Assert.Equal(8, second.Recorder.HandledCount);
        var tenant = JsonNode.Parse(await second.Client.GetStringAsync("/api/quota?tenantId=acme", Ct))!;
        Assert.Equal(rows.Sum(r => (long)r.PromptTokens + r.CompletionTokens), tenant["used"]!.GetValue<long>());
    }

    private static async Task<JsonNode> QuotaAsync(ProxyHost host, string user) =>
        JsonNode.Parse(await host.Client.GetStringAsync($"/api/quota?tenantId=acme&userId={user}", Ct))!;

    private static async Task SetUserLimitAsync(ProxyHost host, string user, long limit)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/quotas?tenantId=acme&userId={user}")
        {
            Content = JsonContent.Create(new { tokenLimit = limit }),
        };
        request.Headers.Add(AdminKeyCheck.Header, AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await host.AnonymousClient.SendAsync(request, Ct)).StatusCode);
    }

    /// <summary>The real in-process queue behind a switch that makes every delivery fail, as a store that is down would.</summary>
    private sealed class FailingQueue(IUsageQueue inner) : IUsageQueue
    {
        private int _failedAttempts;
        private volatile bool _failing;

        public bool Failing
        {
            get => _failing;
            set => _failing = value;
        }

        public int FailedAttempts => Volatile.Read(ref _failedAttempts);

        public string Kind => inner.Kind;

        public Task<Undelivered> DeliverAsync(IReadOnlyList<UsageEvent> events, CancellationToken cancellationToken)
        {
            if (!Failing) return inner.DeliverAsync(events, cancellationToken);
            Interlocked.Increment(ref _failedAttempts);
            return Task.FromResult(new Undelivered(events, new IOException("The usage store is down (injected).")));
        }

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => inner.IsReachableAsync(cancellationToken);
    }
}
