using System.ComponentModel.DataAnnotations;

namespace LlmProxy.Core.Quotas;

public enum QuotaPeriodKind { Daily, Weekly, Monthly }

/// <summary>Default limits (section <c>LlmProxy:Quota</c>); overrides per tenant and user live in the store.</summary>
public sealed class QuotaOptions
{
    public const string Section = "LlmProxy:Quota";

    /// <summary>Tokens per user per period (the seed's <c>default_quota</c>). 0 = unlimited.</summary>
    [Range(0, long.MaxValue)]
    public long DefaultUserTokens { get; set; } = 100_000;

    /// <summary>Tokens per tenant per period. 0 = unlimited.</summary>
    [Range(0, long.MaxValue)]
    public long DefaultTenantTokens { get; set; }

    /// <summary>Money per user per period in USD, priced by the price book. 0 = unlimited.</summary>
    [Range(typeof(decimal), "0", "1000000000")]
    public decimal DefaultUserCostLimitUsd { get; set; }

    /// <summary>Money per tenant per period in USD. 0 = unlimited.</summary>
    [Range(typeof(decimal), "0", "1000000000")]
    public decimal DefaultTenantCostLimitUsd { get; set; }

    public QuotaPeriodKind Period { get; set; } = QuotaPeriodKind.Monthly;

    /// <summary>Requests per minute per user (the seed's <c>rate_limit_requests</c>). 0 = unlimited.</summary>
    [Range(0, int.MaxValue)]
    public int RequestsPerMinutePerUser { get; set; } = 10;

    /// <summary>Requests per minute per tenant. 0 = unlimited.</summary>
    [Range(0, int.MaxValue)]
    public int RequestsPerMinutePerTenant { get; set; }

    /// <summary>
    /// The output budget of a call that names no <c>max_tokens</c>: sent to the vendor (so it cannot write more) and
    /// reserved at admission.
    /// </summary>
    [Range(1, 1_000_000)]
    public int DefaultMaxTokens { get; set; } = 1024;

    /// <summary>
    /// Prompt tokens reserved per image for models whose catalog entry gives no per-image figure: vendors bill an image
    /// by its pixels, which the proxy does not read, up to a per-model maximum.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ImageTokens { get; set; } = 6192;

    /// <summary>
    /// How long a reservation holds tokens when its usage event never arrives (an instance crashed mid-call).
    /// Longer than the longest call plus the usage queue's normal delay; see docs/architecture.md.
    /// </summary>
    [Range(60, 7 * 24 * 3600)]
    public int ReservationTtlSeconds { get; set; } = 1800;
}
