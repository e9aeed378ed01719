using System.Net.Http.Headers;
using System.Text.Json.Serialization.Metadata;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers.AzureOpenAI;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace LlmProxy.Core.Providers;

/// <summary>
/// Sends one vendor request through the vendor's resilient client (see <see cref="Resilience.VendorResilience"/>)
/// and hands back a successful response with its headers read and its body not yet read, so streams flow through
/// unbuffered. Failures become the unified error.
/// </summary>
/// <remarks>
/// It sends through the named client's handler chain with an <see cref="HttpMessageInvoker"/> rather than an
/// <see cref="HttpClient"/>: with no client timeout and headers-read completion, HttpClient would only add a linked
/// cancellation source per call. Timeouts stay where they were: the resilience pipeline's per-attempt first-byte
/// timeout and the caller's token (which carries the call's total deadline).
/// </remarks>
public sealed partial class VendorHttp(IHttpMessageHandlerFactory handlers, TimeProvider clock, ILogger<VendorHttp> log)
{
    private const int MaxErrorBodyBytes = 64 * 1024;

    public static string ClientName(string provider) => "vendor-" + provider;

    public async Task<HttpResponseMessage> SendAsync<T>(string provider, Uri url, T body, JsonTypeInfo<T> bodyType,
        Action<HttpRequestHeaders> authorize, TimeSpan firstByteTimeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = System.Net.Http.Json.JsonContent.Create(body, bodyType),
        };
        authorize(request.Headers);

        using var invoker = new HttpMessageInvoker(handlers.CreateHandler(ClientName(provider)), disposeHandler: false);
        HttpResponseMessage response;
        try
        {
            response = await invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException) when (!cancellationToken.IsCancellationRequested)
        {
            throw VendorErrorMapper.Timeout(provider, firstByteTimeout);
        }
        catch (BrokenCircuitException e)
        {
            throw VendorErrorMapper.CircuitOpen(provider, e.RetryAfter);
        }
        catch (HttpRequestException e)
        {
            // The caller hears only that the vendor could not be reached; the operator reads why here.
            LogUnreachable(log, e, provider);
            throw VendorErrorMapper.Unreachable(provider, e);
        }

        VendorTrace.Record(response);
        if (response.IsSuccessStatusCode) return response;

        using (response)
        {
            var errorBody = await ReadCappedAsync(response.Content, cancellationToken).ConfigureAwait(false);
            var (code, param) = VendorErrorMapper.ExtractCodeAndParam(errorBody);
            throw ContentFilterRefusal.From(provider, (int)response.StatusCode, errorBody) ?? VendorErrorMapper.Map(provider, response.StatusCode, VendorErrorMapper.ExtractMessage(errorBody),
                VendorErrorMapper.ReadRetryAfter(response.Headers, clock) ?? VendorErrorMapper.ReadRetryDelay(errorBody), code, param);
        }
    }

    private static async Task<byte[]> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxErrorBodyBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            total += read;
        return buffer.AsSpan(0, total).ToArray();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Vendor {Provider} could not be reached")]
    private static partial void LogUnreachable(ILogger logger, Exception error, string provider);
}
