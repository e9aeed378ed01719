using System.Diagnostics;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Storage.Sqlite;
using LlmProxy.Core.Usage;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.Quotas;

/// <summary>
/// Callers choose user ids, so whatever the embedded store keeps per scope must be bounded: 80,000 users one after the
/// other leave the memory of a few thousand, and a scope whose figures were forgotten meanwhile is read back from the
/// file, so its limit stays exact.
/// </summary>
[Collection(MemoryCollection.Name)]
public sealed class CallerKeyedMemoryTests : IDisposable
{
    private const int Users = 80_000;
    private const long Limit = 1000;
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _clock = CoreServices.Clock();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private QuotaPeriod Period => QuotaPeriod.Containing(_clock.GetUtcNow(), QuotaPeriodKind.Monthly);

    private QuotaReservation Reservation(string user, long tokens) =>
        new(Guid.NewGuid().ToString("N"), "acme", user, Period, tokens, _clock.GetUtcNow().AddMinutes(30));

    private UsageEvent Used(string id, string user, int tokens) => new()
    {
        Id = id, TenantId = "acme", UserId = user, Provider = "openai", Model = "gpt-4o-mini",
        PromptTokens = tokens, CompletionTokens = 0, Status = UsageStatuses.Ok, HttpStatus = 200, Timestamp = _clock.GetUtcNow(),
    };

    [Fact]
    public async Task Eighty_thousand_distinct_users_leave_bounded_memory_and_every_limit_exact()
    {
        using var store = new SqliteStore(new SqliteConnectionFactory(Options.Create(new StoreOptions { SqlitePath = Path.Combine(_directory.Path, "store.db") })), _clock);
        await store.InitializeAsync(Ct);
        // ana has a call in flight; bob has none, so his figures may be forgotten during the flood.
        Assert.True(await store.RecordAsync(new UsageToRecord(Used("e-ana", "ana", 990), Period, 990, 0), Ct));
        Assert.True((await store.TryReserveAsync(Reservation("ana", 5), TestLimits.Of(null, Limit), Ct)).Admitted);
        Assert.True(await store.RecordAsync(new UsageToRecord(Used("e-bob", "bob", 995), Period, 995, 0), Ct));
        Assert.False((await store.TryReserveAsync(Reservation("bob", 10), TestLimits.Of(null, Limit), Ct)).Admitted);

        var before = MemoryCollection.LiveBytes();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Users; i++)
        {
            // What every admission asks of the store: the overrides of both scopes, then a reservation, later settled.
            var user = $"user-{i:D5}";
            await store.GetOverrideAsync(QuotaScope.Tenant("acme"), Ct);
            await store.GetOverrideAsync(QuotaScope.User("acme", user), Ct);
            var reservation = Reservation(user, 10);
            Assert.True((await store.TryReserveAsync(reservation, TestLimits.Of(null, Limit), Ct)).Admitted);
            await store.ReleaseAsync(reservation, Ct);
        }
        watch.Stop();
        var held = MemoryCollection.LiveBytes() - before;
        TestContext.Current.TestOutputHelper?.WriteLine($"{Users:N0} users admitted in {watch.Elapsed.TotalSeconds:0.0} s; managed memory held afterwards: {held / 1024.0 / 1024.0:0.0} MiB; ledger counters: {store.Ledger.Counters:N0}");
        Assert.True(store.Ledger.Counters <= AdmissionLedger.MaxCounters, $"{store.Ledger.Counters} counters");

        // ana: 990 used + 5 reserved; bob: 995 used, read back from the file once his counter was forgotten.
        Assert.False((await store.TryReserveAsync(Reservation("ana", 6), TestLimits.Of(null, Limit), Ct)).Admitted);
        Assert.True((await store.TryReserveAsync(Reservation("ana", 5), TestLimits.Of(null, Limit), Ct)).Admitted);
        Assert.Equal(new QuotaCounter(995, 0), await store.GetCounterAsync(QuotaScope.User("acme", "bob"), Period, Ct));
        Assert.False((await store.TryReserveAsync(Reservation("bob", 6), TestLimits.Of(null, Limit), Ct)).Admitted);
        Assert.True((await store.TryReserveAsync(Reservation("bob", 5), TestLimits.Of(null, Limit), Ct)).Admitted);
        Assert.True(held < 6L * 1024 * 1024, $"{held / 1024} KiB held after {Users:N0} users");
    }

    [Fact]
    public async Task Overrides_are_all_read_at_start_and_kept_exact_by_their_one_writer()
    {
        var path = Path.Combine(_directory.Path, "overrides.db");
        SqliteStore Open() => new(new SqliteConnectionFactory(Options.Create(new StoreOptions { SqlitePath = path })), _clock);
        using (var first = Open())
        {
            await first.InitializeAsync(Ct);
            await first.SetOverrideAsync(QuotaScope.User("acme", "ana"), new QuotaOverride(500, 7), Ct);
            await first.SetOverrideAsync(QuotaScope.Tenant("acme"), new QuotaOverride(9000, null), Ct);
            await first.SetOverrideAsync(QuotaScope.Tenant("acme"), null, Ct);
        }

        using var second = Open();
        await second.InitializeAsync(Ct);
        Assert.Equal(new QuotaOverride(500, 7), await second.GetOverrideAsync(QuotaScope.User("acme", "ana"), Ct));
        Assert.Null(await second.GetOverrideAsync(QuotaScope.Tenant("acme"), Ct));
        Assert.Null(await second.GetOverrideAsync(QuotaScope.User("acme", "bob"), Ct));
    }

    public void Dispose() => _directory.Dispose();
}
