using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Tests.Foundation;

/// <summary>Per-call framework logs start at Warning (they cost CPU on the console), and a setting brings them back.</summary>
public sealed class LoggingDefaultsTests
{
    [Theory]
    [InlineData("Microsoft.AspNetCore.Hosting.Diagnostics")]
    [InlineData("System.Net.Http.HttpClient.vendor-openai.LogicalHandler")]
    [InlineData("Polly")]
    public async Task Framework_categories_log_warnings_but_not_per_call_information(string category)
    {
        await using var host = await ProxyHost.StartAsync();
        var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);
        Assert.False(log.IsEnabled(LogLevel.Information));
        Assert.True(log.IsEnabled(LogLevel.Warning));
        Assert.True(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LlmProxy.Core.Proxy.ProxyService").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public async Task A_logging_setting_overrides_the_default()
    {
        await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["Logging:LogLevel:Polly"] = "Information" });
        Assert.True(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Polly").IsEnabled(LogLevel.Information));
    }
}
