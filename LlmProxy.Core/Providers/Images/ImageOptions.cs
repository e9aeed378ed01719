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

    /// <summary>Time allowed for one whole fetch, waiting for a free fetch slot included.</summary>
    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Image URLs one request may ask the proxy to fetch (data URLs are not counted: they came with the body).</summary>
    [Range(1, 500)]
    public int MaxUrlsPerRequest { get; set; } = 16;

    /// <summary>Bytes all the images fetched for one request may come to. Gemini takes about 20 MB inline in all.</summary>
    [Range(1024, 500L * 1024 * 1024)]
    public long MaxBytesPerRequest { get; set; } = 20 * 1024 * 1024;

    /// <summary>Image fetches running at once on one instance; further ones wait for a free slot.</summary>
    [Range(1, 256)]
    public int MaxConcurrentFetches { get; set; } = 8;
}
