namespace LlmProxy.Core.Quotas;

/// <summary>
/// Money in counters and limits: whole nano-dollars (1e-9 USD) in a long, so that sums are exact and the same in
/// both stores (Table Storage has no decimal type) and prices down to a thousandth of a dollar per million tokens are
/// exact per token. A cost is rounded up and a limit down, so rounding never lets a scope spend more than its limit.
/// </summary>
public static class Nanodollars
{
    private const decimal PerUsd = 1_000_000_000m;

    /// <summary>The largest money limit a scope may have (USD); its nano-dollars fit a long with room for the costs added to it.</summary>
    public const decimal MaxLimitUsd = 1_000_000_000m;

    /// <summary>Whether <paramref name="usd"/> can be a money limit: 0 to <see cref="MaxLimitUsd"/>, at most 9 decimals (whole nano-dollars).</summary>
    public static bool IsLimit(decimal usd) => usd >= 0 && usd <= MaxLimitUsd && decimal.Round(usd, 9) == usd;

    public static long CostOf(decimal usd) => (long)decimal.Ceiling(usd * PerUsd);

    public static long LimitOf(decimal usd) => (long)decimal.Floor(usd * PerUsd);

    public static decimal ToUsd(long nanodollars) => nanodollars / PerUsd;
}
