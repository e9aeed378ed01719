using LlmProxy.Core.Admin;
using LlmProxy.Core.RequestLog;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.Dashboard;

public sealed class AdminSessionsTests
{
    private sealed class Monitor(AdminOptions value) : IOptionsMonitor<AdminOptions>
    {
        public AdminOptions CurrentValue { get; set; } = value;
        public AdminOptions Get(string? name) => CurrentValue;
        public IDisposable? OnChange(Action<AdminOptions, string?> listener) => null;
    }

    [Fact]
    public void A_session_lasts_its_minutes_any_instance_with_the_same_admin_key_accepts_it_and_a_new_admin_key_ends_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-20T10:00:00Z"));
        var options = new Monitor(new AdminOptions { ApiKey = "key-one", SessionMinutes = 30 });
        var issued = new AdminSessions(options, clock).Issue();
        var otherInstance = new AdminSessions(new Monitor(new AdminOptions { ApiKey = "key-one" }), clock);

        Assert.Equal(issued.CsrfToken, otherInstance.Read(issued.Token)?.CsrfToken);
        Assert.Null(otherInstance.Read(issued.Token[..^2] + "xx"));
        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.NotNull(otherInstance.Read(issued.Token));
        options.CurrentValue = new AdminOptions { ApiKey = "key-two" };
        Assert.Null(new AdminSessions(options, clock).Read(issued.Token));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(otherInstance.Read(issued.Token));
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("plain", "plain")]
    [InlineData("  =1+1", "'  =1+1")]
    [InlineData(" \u00a0@SUM(A1)", "' \u00a0@SUM(A1)")]
    [InlineData("\n-1", "\"'\n-1\"")]
    [InlineData("a -1", "a -1")]
    public void CSV_cells_cannot_start_a_formula(string value, string cell) => Assert.Equal(cell, RequestLogCsv.Cell(value));
}
