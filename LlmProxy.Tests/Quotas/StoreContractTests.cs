using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Storage.Tables;
using LlmProxy.Core.Usage;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.Quotas;

/// <summary>
/// The store contract: the same cases against SQLite and against Table Storage on Azurite. Time is a fake clock,
/// so period and window boundaries are crossed on purpose, not by chance.
/// </summary>
public abstract class StoreContractTests(AzuriteFixture azurite, StoreKindUnderTest kind) : IAsyncLifetime
{
    private static readonly QuotaPeriodKind Monthly = QuotaPeriodKind.Monthly;
    protected FakeTimeProvider Clock { get; } = CoreServices.Clock();
    private CoreServices _core = null!;

    private IQuotaStore Quotas => _core.Get<IQuotaStore>();
    private IUsageStore Usage => _core.Get<IUsageStore>();
    private IRateLimitStore Rates => _core.Get<IRateLimitStore>();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _core = await CoreServices.StartAsync(TestStores.Settings(kind, azurite), Clock);

    public async ValueTask DisposeAsync() => await _core.DisposeAsync();

    private QuotaPeriod Period => QuotaPeriod.Containing(Clock.GetUtcNow(), Monthly);

    private QuotaReservation Reservation(string tenant, string user, long tokens, TimeSpan? ttl = null) =>
        new(Guid.NewGuid().ToString("N"), tenant, user, Period, tokens, Clock.GetUtcNow() + (ttl ?? TimeSpan.FromMinutes(30)));

    private UsageEvent Event(string tenant, string user, int prompt, int completion, string? reservationId = null, string provider = "openai", string model = "gpt-4o-mini",
        bool cached = false, string status = UsageStatuses.Ok, decimal? cost = null, long latencyMs = 0) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        TenantId = tenant,
        UserId = user,
        Provider = provider,
        Model = model,
        PromptTokens = prompt,
        CompletionTokens = completion,
        Status = status,
        HttpStatus = 200,
        Cached = cached,
        CostUsd = cost,
        LatencyMs = latencyMs,
        Timestamp = Clock.GetUtcNow(),
        ReservationId = reservationId,
    };

    private Task<bool> RecordAsync(UsageEvent usage) =>
        Usage.RecordAsync(new UsageToRecord(usage, QuotaPeriod.Containing(usage.Timestamp, Monthly), usage.TotalTokens, usage.CostUsd is { } cost ? Nanodollars.CostOf(cost) : 0), Ct);

    [Fact]
    public async Task An_event_recorded_twice_counts_once()
    {
        var usage = Event("acme", "ana", 11, 7);

        Assert.True(await RecordAsync(usage));
        Assert.False(await RecordAsync(usage));

        Assert.Equal(18, (await Quotas.GetCounterAsync(QuotaScope.User("acme", "ana"), Period, Ct)).Used);
        Assert.Equal(18, (await Quotas.GetCounterAsync(QuotaScope.Tenant("acme"), Period, Ct)).Used);
        var row = Assert.Single(await Usage.AggregateAsync(new UsageQuery("acme", null, Period.Start, Period.End), Ct));
        Assert.Equal(1, row.Requests);
    }

    [Fact]
    public async Task An_events_cache_reasoning_and_cost_figures_read_back_as_recorded()
    {
        var usage = Event("acme", "ana", 1000, 300, cost: 0.002165m) with { CachedPromptTokens = 400, CacheWriteTokens = 100, ReasoningTokens = 120 };

        Assert.True(await RecordAsync(usage));

        var read = Assert.Single(await Usage.ListAsync("acme", "ana", Period.Start, 10, Ct));
        Assert.Equal((1000, 300, 400, 100, 120, 0.002165m),
            (read.PromptTokens, read.CompletionTokens, read.CachedPromptTokens, read.CacheWriteTokens, read.ReasoningTokens, read.CostUsd));
    }

    [Fact]
    public async Task Reservations_fill_the_limit_exactly_and_recording_settles_them_to_the_real_usage()
    {
        for (var i = 0; i < 4; i++)
            Assert.True((await Quotas.TryReserveAsync(Reservation("acme", "ana", 25), TestLimits.Of(null, 100), Ct)).Admitted);
        var refused = await Quotas.TryReserveAsync(Reservation("acme", "ana", 1), TestLimits.Of(null, 100), Ct);
        Assert.False(refused.Admitted);
        Assert.Equal(QuotaScope.User("acme", "ana"), refused.RefusedBy);
        Assert.Equal(new QuotaCounter(0, 100), refused.Counter);

        var held = Reservation("acme", "ana", 30);
        Assert.True((await Quotas.TryReserveAsync(held, TestLimits.Of(null, 1000), Ct)).Admitted);
        Assert.True(await RecordAsync(Event("acme", "ana", 5, 5, held.Id)));

        Assert.Equal(new QuotaCounter(10, 100), await Quotas.GetCounterAsync(QuotaScope.User("acme", "ana"), Period, Ct));
        Assert.Equal(new QuotaCounter(10, 100), await Quotas.GetCounterAsync(QuotaScope.Tenant("acme"), Period, Ct));
    }

    [Fact]
    public async Task A_reservation_grows_only_within_the_limits_and_its_event_settles_all_of_it()
    {
        var limits = TestLimits.Of(100, 100);
        var held = Reservation("acme", "ana", 40);
        Assert.True((await Quotas.TryReserveAsync(held, limits, Ct)).Admitted);
        Assert.True((await Quotas.TryReserveAsync(Reservation("acme", "bob", 30), TestLimits.Of(100, null), Ct)).Admitted);

        // The tenant has 30 tokens of room: growing by 40 is refused by it, growing by 30 fills it.
        var refused = await Quotas.TryGrowAsync(held, 80, 0, limits, Ct);
        Assert.False(refused.Admitted);
        Assert.Equal(QuotaScope.Tenant("acme"), refused.RefusedBy);
        Assert.True((await Quotas.TryGrowAsync(held, 70, 0, limits, Ct)).Admitted);
        Assert.Equal(new QuotaCounter(0, 70), await Quotas.GetCounterAsync(QuotaScope.User("acme", "ana"), Period, Ct));
        Assert.Equal(new QuotaCounter(0, 100), await Quotas.GetCounterAsync(QuotaScope.Tenant("acme"), Period, Ct));
        Assert.False((await Quotas.TryReserveAsync(Reservation("acme", "cy", 1), TestLimits.Of(100, null), Ct)).Admitted);

        Assert.True(await RecordAsync(Event("acme", "ana", 50, 5, held.Id)));
        Assert.Equal(new QuotaCounter(55, 0), await Quotas.GetCounterAsync(QuotaScope.User("acme", "ana"), Period, Ct));
        Assert.Equal(new QuotaCounter(55, 30), await Quotas.GetCounterAsync(QuotaScope.Tenant("acme"), Period, Ct));

        // A reservation no longer live (expired, or settled) does not grow.
        var late = Reservation("acme", "dee", 1, TimeSpan.FromMinutes(1));
        Assert.True((await Quotas.TryReserveAsync(late, TestLimits.Of(null, 100), Ct)).Admitted);
        Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.False((await Quotas.TryGrowAsync(late, 2, 0, TestLimits.Of(null, 100), Ct)).Admitted);
        Assert.False((await Quotas.TryGrowAsync(held, 71, 0, TestLimits.Of(1000, 1000), Ct)).Admitted);
    }

    [Fact]
    public async Task A_reservation_grows_in_money_and_in_a_key_budget_within_their_limits()
    {
        var limits = TestLimits.Of(null, null, userCost: 1_000) with { KeyId = "pk1", Key = new EffectiveLimits(500, null) };
        var held = Reservation("acme", "ana", 100) with { Cost = 400, KeyId = "pk1" };
        Assert.True((await Quotas.TryReserveAsync(held, limits, Ct)).Admitted);

        // The user's budget has 600 nano-dollars of room, the key 400 tokens.
        Assert.Equal(QuotaScope.User("acme", "ana"), (await Quotas.TryGrowAsync(held, 100, 1_001, limits, Ct)).RefusedBy);
        Assert.Equal(QuotaScope.ApiKey("acme", "pk1"), (await Quotas.TryGrowAsync(held, 501, 400, limits, Ct)).RefusedBy);
        Assert.True((await Quotas.TryGrowAsync(held, 500, 1_000, limits, Ct)).Admitted);
        Assert.Equal(new QuotaCounter(0, 500, 0, 1_000), await Quotas.GetCounterAsync(QuotaScope.User("acme", "ana"), Period, Ct));
        Assert.Equal(new QuotaCounter(0, 500, 0, 1_000), await Quotas.GetCounterAsync(QuotaScope.ApiKey("acme", "pk1"), Period, Ct));

        // Released, the grown reservation frees all it held.
        await Quotas.ReleaseAsync(held, Ct);
        Assert.Equal(new QuotaCounter(0, 0), await Quotas.GetCounterAsync(QuotaScope.User("acme", "ana"), Period, Ct));
        Assert.Equal(new QuotaCounter(0, 0), await Quotas.GetCounterAsync(QuotaScope.ApiKey("acme", "pk1"), Period, Ct));
    }

    [Fact]
    public async Task Concurrent_reservations_never_exceed_the_limit()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(() => Quotas.TryReserveAsync(Reservation("acme", "user" + (i % 5), 10), TestLimits.Of(100, null), Ct), Ct)));

        Assert.Equal(10, attempts.Count(a => a.Admitted));
        Assert.Equal(new QuotaCounter(0, 100), await Quotas.GetCounterAsync(QuotaScope.Tenant("acme"), Period, Ct));
    }

    [Fact]
    public async Task Money_reservations_fill_the_budget_exactly_and_recording_settles_them_to_the_real_cost()
    {
        // A budget of 1,000 nano-dollars and no token limit: money alone decides.
        var budget = TestLimits.Of(null, null, userCost: 1000);
        for (var i = 0; i < 4; i++)
            Assert.True((await Quotas.TryReserveAsync(Reservation("acme", "ana", 10) with { Cost = 250 }, budget, Ct)).Admitted);
        var refused = await Quotas.TryReserveAsync(Reservation("acme", "ana", 10) with { Cost = 1 }, budget, Ct);
        Assert.False(refused.Admitted);
        Assert.Equal(QuotaScope.User("acme", "ana"), refused.RefusedBy);
        Assert.Equal(new QuotaCounter(0, 40, 0, 1000), refused.Counter);

        var held = Reservation("acme", "ana", 10) with { Cost = 300 };
        Assert.True((await Quotas.TryReserveAsync(held, TestLimits.Of(null, null, userCost: 2000), Ct)).Admitted);
        Assert.True(await RecordAsync(Event("acme", "ana", 5, 5, held.Id, cost: 0.000000120m)));

        Assert.Equal(new QuotaCounter(10, 40, 120, 1000), await Quotas.GetCounterAsync(QuotaScope.User("acme", "ana"), Period, Ct));
        var tenant = await Quotas.GetCounterAsync(QuotaScope.Tenant("acme"), Period, Ct);
        Assert.Equal((10L, 120L), (tenant.Used, tenant.CostUsed));
    }

    [Fact]
    public async Task Concurrent_money_reservations_never_exceed_the_budget()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            Task.Run(() => Quotas.TryReserveAsync(Reservation("acme", "user" + (i % 5), 1) with { Cost = 10 }, TestLimits.Of(null, null, tenantCost: 100), Ct), Ct)));

        Assert.Equal(10, attempts.Count(a => a.Admitted));
        Assert.Equal(new QuotaCounter(0, 10, 0, 100), await Quotas.GetCounterAsync(QuotaScope.Tenant("acme"), Period, Ct));
    }

    [Fact]
    public async Task A_keys_budget_holds_whatever_user_calls_and_recording_charges_the_key()
    {
        // A publishable key's calls rotate their user ids; the key's own budget still caps them all.
        var limits = TestLimits.Of(null, null) with { KeyId = "key_1", Key = new EffectiveLimits(null, null, 100) };
        var attempts = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            Task.Run(() => Quotas.TryReserveAsync(Reservation("acme", "visitor" + i, 1) with { Cost = 10, KeyId = "key_1" }, limits, Ct), Ct)));

        Assert.Equal(10, attempts.Count(a => a.Admitted));
        Assert.Equal(QuotaScope.ApiKey("acme", "key_1"), attempts.First(a => !a.Admitted).RefusedBy);
        Assert.Equal(new QuotaCounter(0, 10, 0, 100), await Quotas.GetCounterAsync(QuotaScope.ApiKey("acme", "key_1"), Period, Ct));
        Assert.Equal(new QuotaCounter(0, 0), await Quotas.GetCounterAsync(QuotaScope.ApiKey("acme", "key_2"), Period, Ct));

        Assert.True(await RecordAsync(Event("acme", "visitor-x", 3, 4, cost: 0.000000007m) with { KeyId = "key_1" }));
        var key = await Quotas.GetCounterAsync(QuotaScope.ApiKey("acme", "key_1"), Period, Ct);
        Assert.Equal((7L, 7L), (key.Used, key.CostUsed));
    }

    [Fact]
    public async Task A_released_or_expired_reservation_frees_its_tokens()
    {
        var released = Reservation("acme", "ana", 60);
        Assert.True((await Quotas.TryReserveAsync(released, TestLimits.Of(100, 100), Ct)).Admitted);
        await Quotas.ReleaseAsync(released, Ct);
        await Quotas.ReleaseAsync(released, Ct);
        Assert.Equal(new QuotaCounter(0, 0), await Quotas.GetCounterAsync(QuotaScope.User("acme", "ana"), Period, Ct));

        // A crashed instance never records its event: the reservation holds until it expires, then stops counting.
        Assert.True((await Quotas.TryReserveAsync(Reservation("acme", "ana", 60, TimeSpan.FromMinutes(5)), TestLimits.Of(100, 100), Ct)).Admitted);
        Assert.False((await Quotas.TryReserveAsync(Reservation("acme", "bob", 60), TestLimits.Of(100, null), Ct)).Admitted);
        Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(0, (await Quotas.GetCounterAsync(QuotaScope.Tenant("acme"), Period, Ct)).Reserved);
        Assert.True((await Quotas.TryReserveAsync(Reservation("acme", "bob", 60), TestLimits.Of(100, null), Ct)).Admitted);
        Assert.Equal(new QuotaCounter(0, 60), await Quotas.GetCounterAsync(QuotaScope.Tenant("acme"), Period, Ct));
    }

    [Fact]
    public async Task Rate_windows_admit_the_limit_under_concurrency_and_reopen_next_minute()
    {
        var window = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        var decisions = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ =>
            Task.Run(() => Rates.TryAcquireAsync("acme", "ana", window, 100, 10, Ct), Ct)));

        Assert.Equal(10, decisions.Count(d => d.Admitted));
        Assert.Equal(new RateCounts(10, 10), await Rates.GetCountsAsync("acme", "ana", window, Ct));
        // The tenant limit refuses other users too; a refusal counts for neither scope.
        var tenantRefusal = await Rates.TryAcquireAsync("acme", "bob", window, 10, 10, Ct);
        Assert.Equal(QuotaScope.Tenant("acme"), tenantRefusal.RefusedBy);
        Assert.Equal(new RateCounts(10, 0), await Rates.GetCountsAsync("acme", "bob", window, Ct));

        var next = window.AddMinutes(1);
        Assert.True((await Rates.TryAcquireAsync("acme", "ana", next, 10, 10, Ct)).Admitted);
        Assert.Equal(new RateCounts(1, 1), await Rates.GetCountsAsync("acme", "ana", next, Ct));
    }

    [Fact]
    public async Task Overrides_are_set_read_and_removed_per_scope()
    {
        await Quotas.SetOverrideAsync(QuotaScope.Tenant("acme"), new QuotaOverride(5000, null, 12.5m), Ct);
        await Quotas.SetOverrideAsync(QuotaScope.User("acme", "ana"), new QuotaOverride(null, 3, 0.000000001m), Ct);

        Assert.Equal(new QuotaOverride(5000, null, 12.5m), await Quotas.GetOverrideAsync(QuotaScope.Tenant("acme"), Ct));
        Assert.Equal(new QuotaOverride(null, 3, 0.000000001m), await Quotas.GetOverrideAsync(QuotaScope.User("acme", "ana"), Ct));
        Assert.Null(await Quotas.GetOverrideAsync(QuotaScope.User("acme", "bob"), Ct));

        await Quotas.SetOverrideAsync(QuotaScope.User("acme", "ana"), null, Ct);
        Assert.Null(await Quotas.GetOverrideAsync(QuotaScope.User("acme", "ana"), Ct));
    }

    [Fact]
    public async Task Aggregates_group_by_tenant_user_vendor_model_and_day()
    {
        var first = Clock.GetUtcNow();
        await RecordAsync(Event("acme", "ana", 10, 5, cost: 0.5m, latencyMs: 300));
        Clock.Advance(TimeSpan.FromSeconds(1));
        await RecordAsync(Event("acme", "ana", 20, 5, cached: true, cost: 0.25m, latencyMs: 100));
        await RecordAsync(Event("acme", "bob", 1, 1, provider: "anthropic", model: "claude", status: UsageStatuses.VendorError, latencyMs: 200));
        Clock.Advance(TimeSpan.FromDays(1));
        await RecordAsync(Event("acme", "ana", 3, 3, latencyMs: 400));
        await RecordAsync(Event("globex", "ana", 7, 7));

        var acme = await Usage.AggregateAsync(new UsageQuery("acme", null, Period.Start, Period.End), Ct);
        Assert.Equal(
        [
            new UsageAggregate("acme", "ana", "openai", "gpt-4o-mini", "2026-11-20", 2, 30, 10, 40, 1, 0, 0.75m, first.AddSeconds(1)),
            new UsageAggregate("acme", "bob", "anthropic", "claude", "2026-11-20", 1, 1, 1, 2, 0, 1, 0m, first.AddSeconds(1)),
            new UsageAggregate("acme", "ana", "openai", "gpt-4o-mini", "2026-11-21", 1, 3, 3, 6, 0, 0, 0m, Clock.GetUtcNow()),
        ], acme);
        Assert.Equal([100L, 200, 300, 400], await Usage.LatenciesAsync(new UsageQuery("acme", null, Period.Start, Period.End), Ct));
        var ana = await Usage.AggregateAsync(new UsageQuery("acme", "ana", Period.Start, Period.End), Ct);
        Assert.Equal(3, ana.Sum(r => r.Requests));
        var everyone = await Usage.AggregateAsync(new UsageQuery(null, null, Period.Start, Period.End), Ct);
        Assert.Equal(5, everyone.Sum(r => r.Requests));
    }

    [Fact]
    public async Task Ids_with_separator_and_percent_characters_do_not_collide()
    {
        await RecordAsync(Event("acme", "a|b", 1, 0));
        await RecordAsync(Event("acme", "a%7Cb", 2, 0));
        await RecordAsync(Event("acme|x", "a", 4, 0));

        Assert.Equal(1, (await Quotas.GetCounterAsync(QuotaScope.User("acme", "a|b"), Period, Ct)).Used);
        Assert.Equal(2, (await Quotas.GetCounterAsync(QuotaScope.User("acme", "a%7Cb"), Period, Ct)).Used);
        Assert.Equal(3, (await Quotas.GetCounterAsync(QuotaScope.Tenant("acme"), Period, Ct)).Used);
        Assert.Equal(4, (await Quotas.GetCounterAsync(QuotaScope.Tenant("acme|x"), Period, Ct)).Used);
    }

    [Fact]
    public async Task A_period_rolls_over_lazily_and_a_late_or_repeated_reset_changes_nothing()
    {
        var resetter = _core.Get<QuotaPeriodResetter>();
        await RecordAsync(Event("acme", "ana", 60, 30));
        var november = Period;

        // The month ends and the timer has not run: admission already sees a fresh period.
        Clock.SetUtcNow(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));
        var december = Period;
        Assert.Equal(new QuotaCounter(0, 0), await Quotas.GetCounterAsync(QuotaScope.User("acme", "ana"), december, Ct));
        var held = Reservation("acme", "ana", 100);
        Assert.True((await Quotas.TryReserveAsync(held, TestLimits.Of(null, 100), Ct)).Admitted);
        Assert.True(await RecordAsync(Event("acme", "ana", 40, 10, held.Id)));

        // The timer runs days late, then again: the open counters keep their figures, nothing else moves.
        var firstRun = await resetter.RunAsync(Ct);
        var secondRun = await resetter.RunAsync(Ct);
        // The counters the late calls opened already exist, so neither run creates any.
        Assert.Equal((0, 0), (firstRun, secondRun));
        Assert.Equal(new QuotaCounter(50, 0), await Quotas.GetCounterAsync(QuotaScope.User("acme", "ana"), december, Ct));
        Assert.Equal(new QuotaCounter(50, 0), await Quotas.GetCounterAsync(QuotaScope.Tenant("acme"), december, Ct));
        Assert.Equal(new QuotaCounter(90, 0), await Quotas.GetCounterAsync(QuotaScope.User("acme", "ana"), november, Ct));
    }

    [Fact]
    public async Task A_timely_reset_opens_zero_counters_for_the_new_period_once()
    {
        var resetter = _core.Get<QuotaPeriodResetter>();
        await RecordAsync(Event("acme", "ana", 60, 30));
        await RecordAsync(Event("acme", "bob", 6, 3));
        Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 5, 0, TimeSpan.Zero));

        Assert.Equal(3, await resetter.RunAsync(Ct));
        Assert.Equal(0, await resetter.RunAsync(Ct));
        Assert.Equal(new QuotaCounter(0, 0), await Quotas.GetCounterAsync(QuotaScope.Tenant("acme"), Period, Ct));
    }

    [Fact]
    public async Task The_quota_audit_trail_lists_changes_newest_first_per_tenant()
    {
        var audit = _core.Get<LlmProxy.Core.Admin.IQuotaAuditStore>();
        var at = Clock.GetUtcNow();
        await audit.AddAsync(new("1", "acme", null, "admin key 1", at, null, new QuotaOverride(100, null)), Ct);
        await audit.AddAsync(new("2", "acme", "ana", "dashboard session 2", at.AddSeconds(1), new QuotaOverride(5, 2), null), Ct);
        await audit.AddAsync(new("3", "globex", "bob", "admin key 1", at.AddSeconds(2), new QuotaOverride(null, 3), new QuotaOverride(7, null, 2.25m)), Ct);

        var acme = await audit.ListAsync("acme", 10, Ct);
        Assert.Equal(
        [
            new("2", "acme", "ana", "dashboard session 2", at.AddSeconds(1), new QuotaOverride(5, 2), null),
            new LlmProxy.Core.Admin.QuotaAuditEntry("1", "acme", null, "admin key 1", at, null, new QuotaOverride(100, null)),
        ], acme);
        Assert.Equal(["3", "2"], (await audit.ListAsync(null, 2, Ct)).Select(e => e.Id));
        Assert.Equal(new QuotaOverride(7, null, 2.25m), (await audit.ListAsync("globex", 1, Ct))[0].NewValue);
    }
}

public sealed class SqliteStoreContractTests(AzuriteFixture azurite) : StoreContractTests(azurite, StoreKindUnderTest.Sqlite);

public sealed class TableStoreContractTests(AzuriteFixture azurite) : StoreContractTests(azurite, StoreKindUnderTest.Tables);

public sealed class TableKeysTests
{
    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\u0001b")]
    public void Characters_Table_Storage_forbids_are_refused(string id) =>
        Assert.Throws<ArgumentException>(() => TableKeys.Id(id));

    [Fact]
    public void The_separator_and_the_escape_character_are_escaped() =>
        Assert.Equal("a%7Cb%257C", TableKeys.Id("a|b%7C"));
}
