namespace LlmProxy.Core.Quotas;

/// <summary>One quota period, [Start, End) in UTC. Counters are keyed by it, so a new period starts at zero by itself.</summary>
public readonly record struct QuotaPeriod(DateTimeOffset Start, DateTimeOffset End)
{
    // Get-only, so no `with` can change the start without the key that is computed from it.
    public DateTimeOffset Start { get; } = Start;
    public DateTimeOffset End { get; } = End;

    /// <summary>Stable text key of the period, e.g. <c>2026-11-01</c>. Built once: admission reads it several times per call.</summary>
    public string Key { get; } = Start.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static QuotaPeriod Containing(DateTimeOffset instant, QuotaPeriodKind kind)
    {
        var day = new DateTimeOffset(instant.UtcDateTime.Date, TimeSpan.Zero);
        return kind switch
        {
            QuotaPeriodKind.Daily => new(day, day.AddDays(1)),
            // ISO weeks start on Monday.
            QuotaPeriodKind.Weekly => WeekOf(day),
            _ => new(new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero),
                     new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1)),
        };
    }

    public QuotaPeriod Previous(QuotaPeriodKind kind) => Containing(Start.AddTicks(-1), kind);

    private static QuotaPeriod WeekOf(DateTimeOffset day)
    {
        var sinceMonday = ((int)day.DayOfWeek + 6) % 7;
        var start = day.AddDays(-sinceMonday);
        return new(start, start.AddDays(7));
    }
}
