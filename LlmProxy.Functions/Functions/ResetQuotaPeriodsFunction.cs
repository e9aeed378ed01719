using LlmProxy.Core;
using LlmProxy.Core.Quotas;
using Microsoft.Azure.Functions.Worker;

namespace LlmProxy.Functions.Functions;

/// <summary>Opens new quota periods and cleans the cache and request log (<see cref="Housekeeping"/>) on the schedule in the <c>QuotaResetSchedule</c> setting (NCRONTAB, with seconds).</summary>
public sealed class ResetQuotaPeriodsFunction(Housekeeping housekeeping)
{
    public const string ScheduleSetting = "QuotaResetSchedule";
    public const string DefaultSchedule = "0 5 * * * *";

    [Function("ResetQuotaPeriods")]
    public Task Run([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        housekeeping.RunAsync(cancellationToken);
}
