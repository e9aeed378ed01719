using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Providers.Images;

/// <summary>
/// The image fetches of one request (one after the other), which together may bring in at most
/// <c>LlmProxy:Images:MaxBytesPerRequest</c>: counted as the bytes arrive, so no more than that is ever held.
/// </summary>
public sealed class ImageFetches
{
    private readonly ImageFetcher _fetcher;
    private readonly long _maxBytes;
    private long _fetched;

    internal ImageFetches(ImageFetcher fetcher, long maxBytes)
    {
        _fetcher = fetcher;
        _maxBytes = maxBytes;
    }

    public Task<InlineImage> FetchAsync(string url, string param, CancellationToken cancellationToken) =>
        _fetcher.FetchAsync(url, param, this, cancellationToken);

    /// <summary>Refuses an image whose announced length would not fit before reading any of it.</summary>
    internal void EnsureRoomFor(long announced, string param)
    {
        if (_fetched + announced > _maxBytes) throw TooMuch(param);
    }

    internal void Charge(int read, string param)
    {
        _fetched += read;
        if (_fetched > _maxBytes) throw TooMuch(param);
    }

    private ProxyException TooMuch(string param) => new(413, ErrorTypes.RequestTooLarge,
        $"The images of this request come to more than the {_maxBytes} bytes the proxy fetches for one request (LlmProxy:Images:MaxBytesPerRequest).", param);
}
