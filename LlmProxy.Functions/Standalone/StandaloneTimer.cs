using LlmProxy.Core;
using Cronos;
using LlmProxy.Core.Quotas;
using LlmProxy.Functions.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Standalone;

/// <summary>The standalone host's stand-in for the ResetQuotaPeriods timer trigger, on the same schedule setting.</summary>
internal sealed class StandaloneTimer(Housekeeping housekeeping, IConfiguration configuration, TimeProvider clock, ILogger<StandaloneTimer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = CronExpression.Parse(configuration[ResetQuotaPeriodsFunction.ScheduleSetting] ?? ResetQuotaPeriodsFunction.DefaultSchedule, CronFormat.IncludeSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            if (schedule.GetNextOccurrence(now.UtcDateTime) is not { } next) return;
            try
            {
                await Task.Delay(next - now.UtcDateTime, clock, stoppingToken);
                await housekeeping.RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "Quota period reset failed; the next run will try again");
            }
        }
    }
}
