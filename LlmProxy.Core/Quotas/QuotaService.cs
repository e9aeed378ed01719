using LlmProxy.Core.Errors;
using LlmProxy.Core.Storage;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Quotas;

/// <summary>Effective limits (store override, else settings) and the admission check against them.</summary>
public sealed class QuotaService(IQuotaStore store, IOptions<QuotaOptions> options, TimeProvider clock)
{
    public QuotaPeriod CurrentPeriod() => QuotaPeriod.Containing(clock.GetUtcNow(), options.Value.Period);

    /// <summary>Refuses with 429 <c>quota_exceeded</c> when the tenant or the user has used up this period's tokens.</summary>
    public async Task EnsureWithinQuotaAsync(string tenantId, string userId, CancellationToken cancellationToken)
    {
        var period = CurrentPeriod();
        foreach (var scope in new[] { QuotaScope.User(tenantId, userId), QuotaScope.Tenant(tenantId) })
        {
            var figures = await FiguresAsync(scope, period, cancellationToken).ConfigureAwait(false);
            if (figures.Remaining is not { } remaining || remaining > 0) continue;
            var who = scope.IsUser ? $"User '{userId}' of tenant '{tenantId}'" : $"Tenant '{tenantId}'";
            throw new ProxyException(429, ErrorTypes.QuotaExceeded,
                $"{who} has used its {figures.Limit} tokens for the period ending {period.End:O}. Remaining: 0.",
                retryAfter: period.End - clock.GetUtcNow())
            {
                Headers = new Dictionary<string, string> { ["X-Quota-Remaining"] = "0" },
            };
        }
    }

    public async Task<QuotaStatus> GetStatusAsync(string tenantId, string? userId, CancellationToken cancellationToken)
    {
        var period = CurrentPeriod();
        var tenant = await FiguresAsync(QuotaScope.Tenant(tenantId), period, cancellationToken).ConfigureAwait(false);
        var own = userId is null ? tenant : await FiguresAsync(QuotaScope.User(tenantId, userId), period, cancellationToken).ConfigureAwait(false);
        return new QuotaStatus
        {
            TenantId = tenantId,
            UserId = userId,
            PeriodKind = options.Value.Period,
            PeriodStart = period.Start,
            PeriodEnd = period.End,
            Limit = own.Limit,
            Used = own.Used,
            Remaining = own.Remaining,
            RequestsPerMinute = own.RequestsPerMinute,
            Tenant = tenant,
        };
    }

    private async Task<QuotaFigures> FiguresAsync(QuotaScope scope, QuotaPeriod period, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var overrides = await store.GetOverrideAsync(scope, cancellationToken).ConfigureAwait(false);
        var limit = overrides?.TokenLimit ?? (scope.IsUser ? settings.DefaultUserTokens : settings.DefaultTenantTokens);
        var rpm = overrides?.RequestsPerMinute ?? (scope.IsUser ? settings.RequestsPerMinutePerUser : settings.RequestsPerMinutePerTenant);
        var used = await store.GetUsedTokensAsync(scope, period, cancellationToken).ConfigureAwait(false);
        long? effectiveLimit = limit > 0 ? limit : null;
        return new QuotaFigures(effectiveLimit, used, effectiveLimit is { } l ? Math.Max(0, l - used) : null, rpm > 0 ? rpm : null);
    }
}
