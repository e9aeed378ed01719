using LlmProxy.Core;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Usage;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.Usage;

/// <summary>The usage outbox on a real SQLite file, time moved by a fake clock: what it keeps, and when it refuses calls.</summary>
public sealed class UsageOutboxTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly TempDirectory _data = new();
    private readonly FakeTimeProvider _clock = CoreServices.Clock();

    private string OutboxPath => Path.Combine(_data.Path, "outbox", "usage-outbox.db");

    private UsageOutbox Outbox(int maxEvents = 1000, string? path = null) =>
        new(Options.Create(new UsageOutboxOptions { Path = path ?? OutboxPath, MaxEvents = maxEvents, MaxAgeSeconds = 600, DegradedAfterSeconds = 30 }),
            Options.Create(new StoreOptions()), new HostInfo(HostKind.Standalone), _clock, NullLogger<UsageOutbox>.Instance);

    private static UsageEvent Event(int i) => new()
    {
        Id = $"event-{i:D4}", TenantId = "acme", UserId = "ana", Provider = "openai", Model = "gpt-4o-mini",
        PromptTokens = i, CompletionTokens = 1, Status = UsageStatuses.Ok, HttpStatus = 200,
        Timestamp = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), ReservationId = $"r{i}", ReservedTokens = 100,
    };

    [Fact]
    public async Task Concurrent_adds_are_all_kept_and_a_new_process_on_the_file_reads_them_back_in_order()
    {
        using (var outbox = Outbox())
        {
            await Parallel.ForAsync(0, 200, Ct, async (i, _) => await outbox.AddAsync(Event(i)));
            await outbox.AddAsync(Event(0));
            Assert.Equal(200, outbox.Backlog().Events);
        }

        _clock.Advance(TimeSpan.FromSeconds(5));
        using var restarted = Outbox();
        await restarted.OpenAsync(Ct);
        var backlog = restarted.Backlog();
        Assert.Equal(200, backlog.Events);
        Assert.Equal(TimeSpan.FromSeconds(5), backlog.OldestAge);
        var first = await restarted.ReadAsync(0, 150, Ct);
        var rest = await restarted.ReadAsync(first[^1].Seq, 150, Ct);
        Assert.Equal(200, first.Count + rest.Count);
        Assert.Equal(Enumerable.Range(0, 200).Select(Event).Order(Comparer<UsageEvent>.Create((a, b) => string.CompareOrdinal(a.Id, b.Id))),
            first.Concat(rest).Select(e => e.Usage).Order(Comparer<UsageEvent>.Create((a, b) => string.CompareOrdinal(a.Id, b.Id))));
        Assert.True(first.Concat(rest).Select(e => e.Seq).SequenceEqual(first.Concat(rest).Select(e => e.Seq).Order()));

        await restarted.RemoveAsync(first);
        Assert.Equal(50, restarted.Backlog().Events);
        Assert.Equal(rest.Select(e => e.Usage.Id), (await restarted.ReadAsync(0, 100, Ct)).Select(e => e.Usage.Id));
    }

    [Fact]
    public async Task A_second_process_cannot_use_the_same_outbox()
    {
        using var owner = Outbox();
        await owner.OpenAsync(Ct);
        using var intruder = Outbox();
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => intruder.OpenAsync(Ct));
        Assert.Contains("LlmProxy:UsageOutbox:Path", refused.Message);
    }

    [Fact]
    public async Task A_full_outbox_refuses_calls_until_an_event_is_delivered()
    {
        using var outbox = Outbox(maxEvents: 2);
        await outbox.AddAsync(Event(1));
        outbox.EnsureAdmitting();
        await outbox.AddAsync(Event(2));

        var refused = Assert.Throws<ProxyException>(outbox.EnsureAdmitting);
        Assert.Equal((503, ErrorTypes.MeteringUnavailable), (refused.Status, refused.Type));
        Assert.NotNull(refused.RetryAfter);
        Assert.True(outbox.IsDegraded(outbox.Backlog()));

        await outbox.RemoveAsync(await outbox.ReadAsync(0, 1, Ct));
        outbox.EnsureAdmitting();
    }

    [Fact]
    public async Task Failing_delivery_degrades_the_status_after_DegradedAfterSeconds_and_refuses_calls_after_MaxAgeSeconds()
    {
        using var outbox = Outbox();
        await outbox.AddAsync(Event(1));
        outbox.DeliveryFailed();
        _clock.Advance(TimeSpan.FromSeconds(29));
        outbox.DeliveryFailed();
        Assert.False(outbox.IsDegraded(outbox.Backlog()));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(outbox.IsDegraded(outbox.Backlog()));
        outbox.EnsureAdmitting();

        _clock.Advance(TimeSpan.FromSeconds(570));
        Assert.Equal(TimeSpan.FromSeconds(600), outbox.Backlog().FailingFor);
        Assert.Equal(503, Assert.Throws<ProxyException>(outbox.EnsureAdmitting).Status);

        outbox.DeliverySucceeded();
        outbox.EnsureAdmitting();
        Assert.False(outbox.IsDegraded(outbox.Backlog()));
    }

    [Fact]
    public async Task An_event_the_file_cannot_take_is_held_in_memory_counted_and_handed_to_the_relay()
    {
        // A directory where the file should be: SQLite cannot open it, as with a full or failed disk.
        var path = Path.Combine(_data.Path, "not-a-file.db");
        Directory.CreateDirectory(path);
        using var outbox = Outbox(path: path);

        await outbox.AddAsync(Event(7));

        Assert.Equal(1, outbox.Backlog().Events);
        var held = Assert.Single(outbox.TakeUnsaved());
        Assert.Equal("event-0007", held.Usage.Id);
        await outbox.RemoveAsync([held]);
        Assert.True(outbox.IsEmpty);
    }

    [Fact]
    public void By_default_the_outbox_sits_beside_the_store_or_in_the_instances_temp_folder_under_Functions()
    {
        var store = new StoreOptions { SqlitePath = Path.Combine(_data.Path, "data", "llmproxy.db") };
        Assert.Equal(Path.Combine(_data.Path, "data", "usage-outbox.db"), UsageOutbox.PathFor(new UsageOutboxOptions(), store, HostKind.Standalone));
        Assert.Equal(Path.Combine(Path.GetTempPath(), "llmproxy", "usage-outbox.db"), UsageOutbox.PathFor(new UsageOutboxOptions { Path = " " }, store, HostKind.Functions));
        Assert.Equal("/mnt/outbox.db", UsageOutbox.PathFor(new UsageOutboxOptions { Path = "/mnt/outbox.db" }, store, HostKind.Functions));
    }

    [Fact]
    public void A_MaxAgeSeconds_that_would_outlive_the_reservations_is_refused_at_start()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmProxy:UsageOutbox:MaxAgeSeconds"] = "1800",
            ["LlmProxy:Quota:ReservationTtlSeconds"] = "1800",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddLlmProxyCore(configuration, HostKind.Standalone).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<UsageOutboxOptions>>().Value);
        Assert.Contains("LlmProxy:UsageOutbox:MaxAgeSeconds must be below LlmProxy:Quota:ReservationTtlSeconds", error.Message);
    }

    public void Dispose() => _data.Dispose();
}
