using System.ComponentModel.DataAnnotations;

namespace LlmProxy.Core.Providers.Images;

/// <summary>How the proxy fetches image URLs for vendors that only take inline bytes (section <c>LlmProxy:Images</c>).</summary>
public sealed class ImageOptions
{
    public const string Section = "LlmProxy:Images";

    /// <summary>
    /// Lets the fetcher reach loopback, private, link-local and cloud metadata addresses. Off in production: on,
    /// a caller could make the proxy read its own network.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Largest image fetched, in bytes.</summary>
    [Range(1024, 50L * 1024 * 1024)]
    public long MaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Time allowed for one whole fetch.</summary>
    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;
}
