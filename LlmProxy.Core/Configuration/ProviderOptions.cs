using System.ComponentModel.DataAnnotations;

namespace LlmProxy.Core.Configuration;

/// <summary>One vendor's settings (section <c>LlmProxy:Providers:{name}</c>).</summary>
public sealed class ProviderOptions
{
    /// <summary>The vendor API key. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Base URL; lets users point at a compatible endpoint and tests at a fake vendor.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>How long to wait for the vendor's response headers (first byte).</summary>
    [Range(1, 3600)]
    public int TimeoutSeconds { get; set; } = 120;

    /// <summary>The longest a whole vendor call may take, stream included; a stream still running then ends with a timeout error frame.</summary>
    [Range(1, 86_400)]
    public int TotalTimeoutSeconds { get; set; } = 600;

    /// <summary>
    /// Azure OpenAI only: a dated API version (<c>2024-10-21</c>) for resources that need the older path
    /// <c>/openai/deployments/{deployment}/…?api-version=</c>; unset, calls go to the v1 API (<c>/openai/v1/…</c>).
    /// </summary>
    public string? ApiVersion { get; set; }

    /// <summary>Mock vendor only: pause between streamed chunks, to make streaming visible in demos.</summary>
    [Range(0, 10_000)]
    public int ChunkDelayMs { get; set; }
}

/// <summary>All vendors' settings, keyed by vendor name (case-insensitive).</summary>
public sealed class ProvidersOptions
{
    public const string Section = "LlmProxy:Providers";

    public Dictionary<string, ProviderOptions> Providers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ProviderOptions For(string name) =>
        Providers.TryGetValue(name, out var options) ? options : new ProviderOptions();
}
