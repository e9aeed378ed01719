using System.Globalization;

namespace LlmProxy.Core.Quotas;

/// <summary>The tightest request window that applies to a call, as sent in the <c>X-RateLimit-*</c> headers.</summary>
/// <param name="ResetAt">When the current one-minute window ends.</param>
public sealed record RateLimitState(int Limit, int Remaining, DateTimeOffset ResetAt)
{
    /// <summary><c>X-RateLimit-Reset</c> is the window's end in Unix seconds, the same on every instance.</summary>
    public IReadOnlyDictionary<string, string> ToHeaders() => new Dictionary<string, string>
    {
        ["X-RateLimit-Limit"] = Limit.ToString(CultureInfo.InvariantCulture),
        ["X-RateLimit-Remaining"] = Remaining.ToString(CultureInfo.InvariantCulture),
        ["X-RateLimit-Reset"] = ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    };
}
