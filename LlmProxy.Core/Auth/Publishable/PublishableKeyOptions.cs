using System.ComponentModel.DataAnnotations;

namespace LlmProxy.Core.Auth.Publishable;

/// <summary>What every publishable key is held to (section <c>LlmProxy:PublishableKeys</c>); see docs/web-component.md.</summary>
public sealed class PublishableKeyOptions
{
    public const string Section = "LlmProxy:PublishableKeys";

    /// <summary>Requests per minute per (key, <c>userId</c>) for a key that sets no limit of its own.</summary>
    [Range(1, PublishableKeyPolicy.MaxRequestsPerMinute)]
    public int DefaultRequestsPerMinutePerUser { get; set; } = 10;

    /// <summary>
    /// Requests per minute per (key, client address) for a key that sets no limit of its own. A page chooses its
    /// <c>userId</c> freely; this is the limit rotating it cannot escape.
    /// </summary>
    [Range(1, PublishableKeyPolicy.MaxRequestsPerMinute)]
    public int DefaultRequestsPerMinutePerIp { get; set; } = 30;

    /// <summary>Messages per call: the element sends a system prompt and the text.</summary>
    [Range(1, 100)]
    public int MaxMessages { get; set; } = 2;

    /// <summary>Characters of message text per call, all messages together.</summary>
    [Range(1, 1_000_000)]
    public int MaxInputChars { get; set; } = 20_000;

    /// <summary>The most <c>max_tokens</c> a call may ask for; a call that names none gets this.</summary>
    [Range(1, 1_000_000)]
    public int MaxTokens { get; set; } = 1024;

    /// <summary>
    /// Take the client address for per-IP limits from the last <c>X-Forwarded-For</c> entry rather than the
    /// connection. Only behind a front (load balancer, Azure's front end) that sets that header and cannot be
    /// bypassed: otherwise any caller could name a new address on every request.
    /// </summary>
    public bool TrustForwardedFor { get; set; }
}
