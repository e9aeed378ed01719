using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace LlmProxy.Functions;

/// <summary>
/// Per-call Information logs of the frameworks start at Warning, for both hosts. ASP.NET Core and HttpClient write
/// eight lines per proxied call and Polly's resilience telemetry one per vendor attempt; on the console that cost lock
/// contentions and about a tenth of the CPU per call under load (bench/FINDINGS.md). Retries, timeouts and open
/// circuits are still logged: Polly reports them as warnings. These are the lowest-priority settings, so any
/// <c>Logging</c> setting wins.
/// </summary>
public static class LoggingDefaults
{
    private static readonly Dictionary<string, string?> Levels = new()
    {
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning",
    };

    public static void AddTo(IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Levels });
}
