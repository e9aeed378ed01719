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

    public QuotaPeriodKind Period { get; set; } = QuotaPeriodKind.Monthly;

    /// <summary>Requests per minute per user (the seed's <c>rate_limit_requests</c>). 0 = unlimited.</summary>
    [Range(0, int.MaxValue)]
    public int RequestsPerMinutePerUser { get; set; } = 10;

    /// <summary>Requests per minute per tenant. 0 = unlimited.</summary>
    [Range(0, int.MaxValue)]
    public int RequestsPerMinutePerTenant { get; set; }
}
