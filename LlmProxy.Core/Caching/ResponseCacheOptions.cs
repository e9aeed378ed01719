using System.ComponentModel.DataAnnotations;

namespace LlmProxy.Core.Caching;

/// <summary>Exact-match response cache (section <c>LlmProxy:Cache</c>).</summary>
public sealed class ResponseCacheOptions
{
    public const string Section = "LlmProxy:Cache";

    public bool Enabled { get; set; } = true;

    /// <summary>How long an answer is served from the cache.</summary>
    [Range(1, 30 * 24 * 3600)]
    public int TtlSeconds { get; set; } = 3600;

    /// <summary>Whether the tokens of an answer served from the cache count against the caller's quota.</summary>
    public bool CountCachedTokensAgainstQuota { get; set; }

    /// <summary>Answers larger than this (serialized) are not cached. Table Storage caps an entity at 1 MiB.</summary>
    [Range(1024, 900 * 1024)]
    public int MaxEntryBytes { get; set; } = 512 * 1024;
}
