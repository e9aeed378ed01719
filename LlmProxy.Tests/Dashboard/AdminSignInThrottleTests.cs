using LlmProxy.Core.Admin;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.Dashboard;

/// <summary>The per-address pace of admin-key attempts, on a fake clock.</summary>
public sealed class AdminSignInThrottleTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));
    private AdminSignInThrottle NewThrottle() => new(_clock, NullLogger<AdminSignInThrottle>.Instance);

    [Fact]
    public void Wrong_keys_cost_nothing_at_first_then_growing_waits_then_a_lockout_that_refuses_the_right_key_too()
    {
        var throttle = NewThrottle();
        var waits = new List<double>();
        for (var failures = 1; failures < AdminSignInThrottle.LockoutFailures; failures++)
        {
            Assert.Null(throttle.Record("a", right: false));
            waits.Add(throttle.WaitFor("a").TotalSeconds);
            _clock.Advance(throttle.WaitFor("a"));
        }
        Assert.Equal([0, 0, 0, 0, 2, 4, 8, 16, 32], waits);

        Assert.Null(throttle.Record("a", right: false));
        Assert.Equal(AdminSignInThrottle.Lockout, throttle.Record("a", right: true));
        _clock.Advance(AdminSignInThrottle.Lockout);
        Assert.Null(throttle.Record("a", right: true));
        Assert.Equal(0, throttle.Count);
    }

    [Fact]
    public void Attempts_while_waiting_are_refused_unchecked_and_count_so_hammering_ends_in_the_lockout()
    {
        var throttle = NewThrottle();
        for (var i = 0; i <= AdminSignInThrottle.FreeFailures; i++) throttle.Record("a", right: false);
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.WaitFor("a"));

        // The right key is refused while the address waits, and counts like the wrong ones around it.
        Assert.Equal(TimeSpan.FromSeconds(4), throttle.Record("a", right: true));
        for (var i = 0; i < 100; i++) Assert.NotNull(throttle.Record("a", right: false));

        Assert.Equal(AdminSignInThrottle.Lockout, throttle.WaitFor("a"));
        _clock.Advance(AdminSignInThrottle.Lockout - TimeSpan.FromSeconds(1));
        // A second early, even the right key starts the lockout over.
        Assert.Equal(AdminSignInThrottle.Lockout, throttle.Record("a", right: true));
    }

    [Fact]
    public void A_right_key_clears_the_address_and_other_addresses_are_not_held_back()
    {
        var throttle = NewThrottle();
        for (var i = 0; i < AdminSignInThrottle.FreeFailures; i++) Assert.Null(throttle.Record("a", right: false));
        Assert.Null(throttle.Record("a", right: true));
        for (var i = 0; i < AdminSignInThrottle.FreeFailures; i++) Assert.Null(throttle.Record("a", right: false));

        for (var i = 0; i < AdminSignInThrottle.LockoutFailures; i++) throttle.Record("b", right: false);
        Assert.NotNull(throttle.Record("b", right: true));
        Assert.Null(throttle.Record("c", right: true));
    }

    [Fact]
    public void The_table_of_addresses_stays_bounded_and_keeps_the_latest()
    {
        var throttle = NewThrottle();
        for (var i = 0; i < 50_000; i++)
        {
            throttle.Record($"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}", right: false);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        for (var i = 0; i < AdminSignInThrottle.LockoutFailures; i++) throttle.Record("203.0.113.9", right: false);

        Assert.True(throttle.Count <= AdminSignInThrottle.MaxAddresses, $"{throttle.Count} addresses tracked");
        Assert.NotNull(throttle.Record("203.0.113.9", right: true));
        _clock.Advance(AdminSignInThrottle.Lockout);
        throttle.Record("192.0.2.1", right: false);
        Assert.True(throttle.Count <= AdminSignInThrottle.MaxAddresses);
    }
}
