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
/// The embedded store decides admission in memory: these cases show that what must outlive the process is read back
/// from the file, and that a second process cannot serve the same file with figures it cannot see.
/// </summary>
public sealed class SqliteAdmissionTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _clock = CoreServices.Clock();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_directory.Path, "store.db");

    private SqliteStore NewStore() =>
        new(new SqliteConnectionFactory(Options.Create(new StoreOptions { SqlitePath = DatabasePath })), _clock);

    private QuotaPeriod Period => QuotaPeriod.Containing(_clock.GetUtcNow(), QuotaPeriodKind.Monthly);

    private QuotaReservation Reservation(long tokens) =>
        new(Guid.NewGuid().ToString("N"), "acme", "ana", Period, tokens, _clock.GetUtcNow().AddMinutes(30));

    [Fact]
    public async Task Used_tokens_and_money_recorded_before_a_restart_count_against_admission_after_it()
    {
        using (var first = NewStore())
        {
            await first.InitializeAsync(Ct);
            var usage = new UsageEvent
            {
                Id = "e1", TenantId = "acme", UserId = "ana", Provider = "openai", Model = "gpt-4o-mini",
                PromptTokens = 60, CompletionTokens = 30, Status = UsageStatuses.Ok, HttpStatus = 200, Timestamp = _clock.GetUtcNow(),
            };
            Assert.True(await first.RecordAsync(new UsageToRecord(usage, Period, usage.TotalTokens, 900), Ct));
        }

        using var second = NewStore();
        await second.InitializeAsync(Ct);
        var refused = await second.TryReserveAsync(Reservation(11), TestLimits.Of(null, 100), Ct);
        Assert.False(refused.Admitted);
        Assert.Equal(new QuotaCounter(90, 0, 900, 0), refused.Counter);
        Assert.False((await second.TryReserveAsync(Reservation(1) with { Cost = 101 }, TestLimits.Of(null, null, userCost: 1000), Ct)).Admitted);
        Assert.True((await second.TryReserveAsync(Reservation(10) with { Cost = 100 }, TestLimits.Of(null, 100, userCost: 1000), Ct)).Admitted);
        Assert.Equal(new QuotaCounter(90, 10, 900, 100), await second.GetCounterAsync(QuotaScope.User("acme", "ana"), Period, Ct));
    }

    [Fact]
    public async Task A_second_store_on_the_same_file_is_refused_until_the_first_is_gone()
    {
        using var first = NewStore();
        await first.InitializeAsync(Ct);

        using var second = NewStore();
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => second.InitializeAsync(Ct));
        Assert.Contains("Another process is serving the database", refused.Message);
        Assert.Contains("LlmProxy:Store:SqlitePath", refused.Message);

        first.Dispose();
        await second.InitializeAsync(Ct);
    }

    [Fact]
    public async Task A_batch_records_each_event_once_and_settles_its_reservations()
    {
        using var store = NewStore();
        await store.InitializeAsync(Ct);
        var held = Reservation(50);
        Assert.True((await store.TryReserveAsync(held, TestLimits.Of(null, 1000), Ct)).Admitted);
        UsageEvent Event(string id, string? reservation = null) => new()
        {
            Id = id, TenantId = "acme", UserId = "ana", Provider = "openai", Model = "gpt-4o-mini", PromptTokens = 5,
            CompletionTokens = 5, Status = UsageStatuses.Ok, HttpStatus = 200, Timestamp = _clock.GetUtcNow(), ReservationId = reservation,
        };

        var results = await store.RecordManyAsync(
            [new(Event("a", held.Id), Period, 10, 7), new(Event("b"), Period, 10, 7), new(Event("a"), Period, 10, 7)], Ct);

        Assert.Equal([true, true, false], results);
        Assert.Equal(new QuotaCounter(20, 0, 14, 0), await store.GetCounterAsync(QuotaScope.User("acme", "ana"), Period, Ct));
        Assert.Equal(new QuotaCounter(20, 0, 14, 0), await store.GetCounterAsync(QuotaScope.Tenant("acme"), Period, Ct));
    }

    [Fact]
    public void Ended_request_windows_are_dropped_when_the_next_window_opens()
    {
        var ledger = new AdmissionLedger(_clock);
        var minute = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        foreach (var user in new[] { "ana", "bo", "cy" }) Assert.True(ledger.TryAcquire("acme", user, minute, 100, 5).Admitted);
        Assert.Equal(6, ledger.Totals().Requests);

        Assert.True(ledger.TryAcquire("acme", "ana", minute.AddMinutes(1), 100, 5).Admitted);

        Assert.Equal(2, ledger.Totals().Requests);
        Assert.Equal(new RateCounts(1, 1), ledger.CountsIn("acme", "ana", minute.AddMinutes(1)));
    }

    [Fact]
    public void Loading_the_next_period_keeps_the_current_one_for_calls_admitted_at_the_boundary()
    {
        var ledger = new AdmissionLedger(_clock);
        var november = Period;
        var december = QuotaPeriod.Containing(november.End, QuotaPeriodKind.Monthly);
        var ana = QuotaScope.User("acme", "ana");
        ledger.Load(ana, november, 40, 0);

        ledger.Load(ana, december, 0, 0);

        Assert.True(ledger.IsLoaded(ana, november));
        Assert.False(ledger.TryReserve(Reservation(61), TestLimits.Of(null, 100))!.Admitted);
        Assert.True(ledger.TryReserve(Reservation(60), TestLimits.Of(null, 100))!.Admitted);
    }

    [Fact]
    public void Past_its_bound_the_ledger_forgets_idle_counters_least_recently_used_first_and_never_a_reserved_one()
    {
        var ledger = new AdmissionLedger(_clock, maxCounters: 8);
        var held = new QuotaReservation("held", "acme", "ana", Period, 5, _clock.GetUtcNow().AddMinutes(30));
        ledger.Load(QuotaScope.User("acme", "ana"), Period, 90, 0);
        Assert.True(ledger.TryReserve(held, TestLimits.Of(null, 100))!.Admitted);

        for (var i = 0; i < 40; i++) ledger.Load(QuotaScope.User("acme", $"user-{i}"), Period, i, 0);

        Assert.True(ledger.Counters <= 8, $"{ledger.Counters} counters");
        Assert.Equal(new QuotaCounter(90, 5), ledger.CounterFor(QuotaScope.User("acme", "ana"), Period));
        Assert.True(ledger.IsLoaded(QuotaScope.User("acme", "user-39"), Period));
        Assert.False(ledger.IsLoaded(QuotaScope.User("acme", "user-0"), Period));
        // A forgotten counter is not a zero: admission asks for it to be loaded again.
        Assert.Null(ledger.CounterFor(QuotaScope.User("acme", "user-0"), Period));
        Assert.Null(ledger.TryReserve(new QuotaReservation("r", "acme", "user-0", Period, 1, _clock.GetUtcNow().AddMinutes(30)), TestLimits.Of(null, 100)));
    }

    public void Dispose() => _directory.Dispose();
}
