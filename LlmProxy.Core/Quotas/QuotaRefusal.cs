using System.Globalization;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Quotas;

/// <summary>
/// The answer to a call refused because a quota is used up for its period: OpenAI's <c>429 insufficient_quota</c>.
/// It carries no <c>Retry-After</c>: no retry can succeed before the period ends, and SDKs that honour the header
/// (OpenAI .NET, Microsoft.Extensions.AI) would sleep until then, days, before each retry. <c>x-should-retry: false</c>
/// tells the SDKs that read it (the OpenAI and Anthropic ones for Node and Python) not to retry at all; the period's
/// end is in <c>X-Quota-Reset</c> (Unix seconds) for callers that want to show it. Rate limits, which clear within a
/// minute, keep <c>Retry-After</c>.
/// </summary>
public static class QuotaRefusal
{
    public const string ResetHeader = "X-Quota-Reset";
    public const string RemainingHeader = "X-Quota-Remaining";
    public const string RemainingUsdHeader = "X-Quota-Remaining-Usd";
    public const string ShouldRetryHeader = "x-should-retry";

    public static ProxyException Create(string message, DateTimeOffset periodEnd, IEnumerable<KeyValuePair<string, string>> headers)
    {
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [ShouldRetryHeader] = "false",
            [ResetHeader] = periodEnd.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in headers) all[name] = value;
        return new ProxyException(429, ErrorTypes.InsufficientQuota, message) { Code = ErrorTypes.InsufficientQuota, Headers = all };
    }
}
