using System.Net;
using System.Net.Sockets;
using LlmProxy.Core.Errors;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers.Images;

/// <summary>
/// Fetches an image a caller named by URL, for vendors that need the bytes inline. The caller controls the URL,
/// so the fetch is guarded: the address actually connected to is checked (not just the host name, which could
/// resolve anywhere), the answer must be an image, small enough and quick enough.
/// </summary>
public sealed class ImageFetcher(IHttpClientFactory httpClientFactory, IOptions<ImageOptions> options, TimeProvider clock)
{
    public const string ClientName = "image-fetcher";
    private static readonly string[] ImageMediaTypes = ["image/png", "image/jpeg", "image/gif", "image/webp"];

    public async Task<InlineImage> FetchAsync(string url, string param, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw ProxyException.BadRequest("An image URL must be http(s) or a data URL.", param);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(settings.TimeoutSeconds), clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await httpClientFactory.CreateClient(ClientName)
                .GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw ProxyException.BadRequest($"The image at {uri.Host} could not be fetched: HTTP {(int)response.StatusCode}.", param);
            var mediaType = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant();
            if (mediaType is null || !ImageMediaTypes.Contains(mediaType))
                throw ProxyException.BadRequest($"The URL did not return a PNG, JPEG, GIF or WebP image (got '{mediaType}').", param);
            if (response.Content.Headers.ContentLength > settings.MaxBytes) throw TooLarge(settings.MaxBytes, param);

            await using var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            using var bytes = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer, linked.Token).ConfigureAwait(false)) > 0)
            {
                if (bytes.Length + read > settings.MaxBytes) throw TooLarge(settings.MaxBytes, param);
                bytes.Write(buffer, 0, read);
            }
            return new InlineImage(mediaType, Convert.ToBase64String(bytes.GetBuffer(), 0, (int)bytes.Length));
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
    }

    private static ProxyException TooLarge(long max, string param) =>
        new(413, ErrorTypes.RequestTooLarge, $"The image is larger than the {max} bytes the proxy fetches.", param);

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
