using System.Buffers;
using System.Net;
using System.Net.Sockets;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers.Images;

/// <summary>
/// Fetches an image a caller named by URL, for vendors that need the bytes inline. The caller controls the URL,
/// so the fetch is guarded: the address actually connected to is checked (not just the host name, which could
/// resolve anywhere), the answer must be an image, small enough and quick enough. What one request may make the
/// proxy fetch is capped (<see cref="ForRequest"/>), and so is the number of fetches running at once on the instance.
/// </summary>
public sealed class ImageFetcher(IHttpClientFactory httpClientFactory, IOptions<ImageOptions> options, TimeProvider clock)
{
    public const string ClientName = "image-fetcher";
    private static readonly string[] ImageMediaTypes = ["image/png", "image/jpeg", "image/gif", "image/webp"];
    private readonly SemaphoreSlim _fetchSlots = new(options.Value.MaxConcurrentFetches);

    /// <summary>
    /// The fetches of one request. More image URLs than <see cref="ImageOptions.MaxUrlsPerRequest"/> are refused here,
    /// before anything is fetched; the bytes are counted against <see cref="ImageOptions.MaxBytesPerRequest"/> as they arrive.
    /// </summary>
    public ImageFetches ForRequest(ChatRequest request)
    {
        var settings = options.Value;
        var urls = 0;
        foreach (var message in request.Messages ?? [])
            foreach (var part in message.Content?.Parts ?? [])
                if (part.ImageUrl?.Url is { } url && !InlineImage.IsDataUrl(url)) urls++;
        if (urls > settings.MaxUrlsPerRequest)
            throw ProxyException.BadRequest($"A request may name at most {settings.MaxUrlsPerRequest} image URLs for the proxy to fetch " +
                $"(LlmProxy:Images:MaxUrlsPerRequest); this one names {urls}. Send fewer, or send them as data URLs.", "messages");
        return new ImageFetches(this, settings.MaxBytesPerRequest);
    }

    internal async Task<InlineImage> FetchAsync(string url, string param, ImageFetches request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw ProxyException.BadRequest("An image URL must be http(s) or a data URL.", param);

        // Waiting for a free fetch slot counts against the fetch's time, so a queue of fetches cannot hold calls forever.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(settings.TimeoutSeconds), clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var slot = false;
        try
        {
            await _fetchSlots.WaitAsync(linked.Token).ConfigureAwait(false);
            slot = true;
            using var response = await httpClientFactory.CreateClient(ClientName)
                .GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw ProxyException.BadRequest($"The image at {uri.Host} could not be fetched: HTTP {(int)response.StatusCode}.", param);
            var mediaType = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant();
            if (mediaType is null || !ImageMediaTypes.Contains(mediaType))
                throw ProxyException.BadRequest($"The URL did not return a PNG, JPEG, GIF or WebP image (got '{mediaType}').", param);
            var length = response.Content.Headers.ContentLength;
            if (length > settings.MaxBytes) throw TooLarge(settings.MaxBytes, param);
            if (length is { } announced) request.EnsureRoomFor(announced, param);

            await using var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            // Sized by Content-Length when the server sends one, so the image is held in one exact array.
            using var bytes = new MemoryStream((int)(length ?? 0));
            var buffer = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                int read;
                while ((read = await body.ReadAsync(buffer, linked.Token).ConfigureAwait(false)) > 0)
                {
                    if (bytes.Length + read > settings.MaxBytes) throw TooLarge(settings.MaxBytes, param);
                    request.Charge(read, param);
                    bytes.Write(buffer, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            return new InlineImage(mediaType, Base64Data.FromBytes(bytes.GetBuffer().AsMemory(0, (int)bytes.Length)));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw ProxyException.BadRequest($"The image at {uri.Host} took longer than {settings.TimeoutSeconds} s to fetch.", param);
        }
        catch (HttpRequestException e) when (e.InnerException is ForbiddenAddressException forbidden)
        {
            throw ProxyException.BadRequest($"The image URL points to {forbidden.Message}; the proxy does not fetch from there.", param);
        }
        catch (HttpRequestException)
        {
            // Not the socket error: "refused" against "timed out" would make the proxy a port scanner's oracle.
            throw ProxyException.BadRequest($"The image at {uri.Host} could not be fetched (the connection failed).", param);
        }
        finally
        {
            if (slot) _fetchSlots.Release();
        }
    }

    private static ProxyException TooLarge(long max, string param) =>
        new(413, ErrorTypes.RequestTooLarge, $"The image is larger than the {max} bytes the proxy fetches (LlmProxy:Images:MaxBytes).", param);
    /// <summary>The fetcher's handler: resolves the host itself and connects only to an allowed address.</summary>
    public static SocketsHttpHandler CreateHandler(IOptions<ImageOptions> options) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 3,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            var allowPrivate = options.Value.AllowPrivateNetworks;
            var allowed = addresses.FirstOrDefault(a => allowPrivate || AddressRules.IsPublic(a))
                ?? throw new ForbiddenAddressException(addresses.Length == 0 ? "no address" : "a private or local network address");
            var socket = new Socket(allowed.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(allowed, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    private sealed class ForbiddenAddressException(string message) : IOException(message);
}
