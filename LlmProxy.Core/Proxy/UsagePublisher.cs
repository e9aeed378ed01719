using LlmProxy.Core.Quotas;
using LlmProxy.Core.RequestLog;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Usage;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// Publishes a call's one usage event. The event settles the call's quota reservation when recorded; if it
/// cannot be published, the reservation is released here so the tokens are not held until it expires.
/// </summary>
public sealed class UsagePublisher(IUsageQueue queue, QuotaService quotas, RequestLogRecorder requestLog, ILogger<UsagePublisher> log)
{
    internal async Task PublishAsync(ICallAccounting accounting)
    {
        if (accounting.TakeEvent() is not { } usage) return;
        await requestLog.RecordAsync(accounting, usage).ConfigureAwait(false);
        try
        {
            await queue.PublishAsync(usage, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            log.LogError(e, "Could not publish usage event {UsageId} for {Tenant}/{User}", usage.Id, usage.TenantId, usage.UserId);
            if (accounting.Reservation is { } reservation) await ReleaseAsync(reservation).ConfigureAwait(false);
            throw;
        }
    }

    private async Task ReleaseAsync(QuotaReservation reservation)
    {
        try
        {
            await quotas.ReleaseAsync(reservation, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Could not release quota reservation {ReservationId}; it expires at {ExpiresAt}", reservation.Id, reservation.ExpiresAt);
        }
    }
}
