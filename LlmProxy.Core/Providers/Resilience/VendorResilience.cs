using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using LlmProxy.Core.Configuration;

namespace LlmProxy.Core.Providers.Resilience;

/// <summary>
/// The HTTP pipeline of each vendor's named client: retry with backoff (honouring a short Retry-After) and a
/// circuit breaker per vendor. Both act inside <c>SendAsync</c>, before response headers reach the proxy, so a
/// retry never repeats anything the caller has already received; a stream that fails later is not retried. Only
/// attempts the vendor refused (an error status) or never received (no connection) are retried: one that timed out
/// or lost its connection after sending may have been processed, and billed, so repeating it could bill the call
/// twice against a reservation that covers one attempt.
/// </summary>
public static class VendorResilience
{
    public static void AddVendorClient(this IServiceCollection services, string provider)
    {
        services.AddHttpClient(VendorHttp.ClientName(provider), c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<VendorResilienceOptions>>().Value.ConnectTimeoutSeconds),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AutomaticDecompression = DecompressionMethods.All,
            })
            .AddResilienceHandler("vendor", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<VendorResilienceOptions>>().Value;
                var health = context.ServiceProvider.GetRequiredService<VendorHealth>();
                var maxRetryAfter = TimeSpan.FromSeconds(options.MaxRetryAfterSeconds);
                var firstByte = TimeSpan.FromSeconds(context.ServiceProvider.GetRequiredService<IOptions<ProvidersOptions>>().Value.For(provider).TimeoutSeconds);

                if (options.MaxRetries > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.MaxRetries,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMs),
                        ShouldRetryAfterHeader = true,
                        ShouldHandle = args => ValueTask.FromResult(IsRetryable(args.Outcome, maxRetryAfter)),
                    });
                }

                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = options.CircuitFailureRatio,
                    MinimumThroughput = options.CircuitMinimumThroughput,
                    SamplingDuration = TimeSpan.FromSeconds(options.CircuitSamplingSeconds),
                    BreakDuration = TimeSpan.FromSeconds(options.CircuitBreakSeconds),
                    StateProvider = health.CircuitFor(provider),
                    ShouldHandle = args =>
                    {
                        var failed = IsVendorFault(args.Outcome);
                        health.Record(provider, failed);
                        return ValueTask.FromResult(failed);
                    },
                });

                // Innermost, so each attempt gets the whole first-byte budget and a timed-out attempt can be retried.
                pipeline.AddTimeout(firstByte);
            });
    }

    /// <summary>Faults that say the vendor is unwell: 5xx, 529, 408, transport errors. A 429 is the vendor working as designed.</summary>
    private static bool IsVendorFault(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => (int)response.StatusCode is >= 500 or 408,
        _ => false,
    };

    /// <summary>
    /// Vendor faults and 429s are retried, unless the vendor asks for a longer pause than the caller should sit
    /// through: then its answer, Retry-After included, goes straight back to the caller.
    /// </summary>
    private static bool IsRetryable(Outcome<HttpResponseMessage> outcome, TimeSpan maxRetryAfter)
    {
        if (outcome.Exception is { } failure && VendorErrorMapper.MayHaveReachedVendor(failure)) return false;
        var throttled = outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests };
        if (!throttled && !IsVendorFault(outcome)) return false;
        var wait = outcome.Result?.Headers.RetryAfter?.Delta;
        return wait is null || wait <= maxRetryAfter;
    }

}
