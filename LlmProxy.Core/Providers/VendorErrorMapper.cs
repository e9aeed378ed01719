using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Providers;

/// <summary>
/// Maps a vendor's failed HTTP answer to the proxy's unified error. A vendor 401/403 means the proxy's own key
/// is wrong, so the caller gets 502, not 401; overload and rate limits keep the vendor's Retry-After.
/// </summary>
public static class VendorErrorMapper
{
    /// <param name="vendorCode">The vendor's own <c>code</c> (OpenAI's <c>context_length_exceeded</c>, ...), kept for the caller.</param>
    /// <param name="vendorParam">The request field the vendor blamed, kept for the caller.</param>
    public static ProxyException Map(string provider, HttpStatusCode status, string? vendorMessage, TimeSpan? retryAfter,
        string? vendorCode = null, string? vendorParam = null)
    {
        var error = MapStatus(provider, status, vendorMessage, retryAfter);
        return vendorCode is null && vendorParam is null
            ? error
            : new ProxyException(error.Status, error.Type, error.Message, vendorParam, provider, error.RetryAfter) { Code = vendorCode };
    }

    private static ProxyException MapStatus(string provider, HttpStatusCode status, string? vendorMessage, TimeSpan? retryAfter)
    {
        var code = (int)status;
        var message = string.IsNullOrWhiteSpace(vendorMessage) ? $"The vendor answered HTTP {code}." : vendorMessage;
        return code switch
        {
            401 or 403 => new ProxyException(502, ErrorTypes.ProviderAuthentication,
                $"The proxy's credentials were refused by {provider}: {message}", provider: provider),
            429 => new ProxyException(429, ErrorTypes.ProviderRateLimited, message, provider: provider, retryAfter: retryAfter),
            529 or 503 => new ProxyException(503, ErrorTypes.ProviderOverloaded, message, provider: provider, retryAfter: retryAfter),
            408 or 504 => new ProxyException(504, ErrorTypes.ProviderTimeout, message, provider: provider),
            >= 500 => new ProxyException(502, ErrorTypes.ProviderError, message, provider: provider),
            404 => new ProxyException(404, ErrorTypes.NotFound, message, provider: provider),
            413 => new ProxyException(413, ErrorTypes.RequestTooLarge, message, provider: provider),
            _ => new ProxyException(400, ErrorTypes.InvalidRequest, message, provider: provider),
        };
    }

    public static ProxyException Timeout(string provider, TimeSpan after) =>
        new(504, ErrorTypes.ProviderTimeout, $"{provider} did not answer within {after.TotalSeconds:0} s.", provider: provider) { VendorMayHaveBilled = true };

    public static ProxyException CircuitOpen(string provider, TimeSpan? retryAfter) =>
        new(503, ErrorTypes.ProviderUnavailable, $"{provider} failed repeatedly; the proxy stops calling it for a while.", provider: provider, retryAfter: retryAfter);

    /// <summary>
    /// The vendor's connection failed. The message says only that: the socket error would name the vendor's host and
    /// port (or, with a custom base URL, a host of the operator's network) and tell a scanner whether a port is open.
    /// </summary>
    public static ProxyException Unreachable(string provider, Exception inner) =>
        new(502, ErrorTypes.ProviderError, $"{provider} could not be reached (the connection failed).", provider: provider, inner: inner) { VendorMayHaveBilled = MayHaveReachedVendor(inner) };

    /// <summary>
    /// Whether a failed attempt may have reached the vendor: only a failure to connect (name, connection, TLS,
    /// proxy tunnel) is sure not to have; a timeout or a connection lost later may have been processed and billed.
    /// </summary>
    public static bool MayHaveReachedVendor(Exception failure) => failure is not HttpRequestException
    {
        HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError,
    };

    /// <summary>An error reported inside a stream that had already started.</summary>
    public static ProxyException MidStream(string provider, string? message) =>
        new(502, ErrorTypes.ProviderError, string.IsNullOrWhiteSpace(message) ? $"{provider} failed mid-stream." : message, provider: provider) { VendorMayHaveBilled = true };

    public static TimeSpan? ReadRetryAfter(HttpResponseHeaders headers, TimeProvider clock)
    {
        var value = headers.RetryAfter;
        if (value?.Delta is { } delta) return delta;
        if (value?.Date is { } date)
        {
            var wait = date - clock.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    /// <summary>
    /// Pulls the human message out of a vendor error body. Vendors agree on little: OpenAI, Mistral, DeepSeek,
    /// Gemini and Anthropic nest it under <c>error.message</c>; Cohere and some Mistral errors use <c>message</c>
    /// or <c>detail</c> at the top.
    /// </summary>
    public static string? ExtractMessage(ReadOnlySpan<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            return ExtractMessage(doc.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string? ExtractMessage(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return null;
        if (root.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.String) return error.GetString();
            if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                return m.GetString();
        }
        foreach (var name in (ReadOnlySpan<string>)["message", "detail"])
            if (root.TryGetProperty(name, out var m) && Describe(m) is { } text)
                return text;
        return null;
    }

    /// <summary>
    /// The vendor's machine-readable reason and blamed field from an error body: <c>error.code</c> and <c>error.param</c>
    /// (OpenAI, Mistral, DeepSeek), else Gemini's <c>error.status</c> or Anthropic's <c>error.type</c> as the code.
    /// </summary>
    public static (string? Code, string? Param) ExtractCodeAndParam(ReadOnlySpan<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object) return (null, null);
            return (Text(error, "code") ?? Text(error, "status") ?? Text(error, "type"), Text(error, "param"));
        }
        catch (JsonException)
        {
            return (null, null);
        }

        static string? Text(JsonElement error, string name) =>
            error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
    }

    /// <summary>
    /// Mistral's 422 (a FastAPI validation error) nests a <c>detail</c> list of <c>{msg, loc}</c> under
    /// <c>message</c>; those become "msg (body.field)" lines.
    /// </summary>
    private static string? Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Object when value.TryGetProperty("detail", out var detail) => Describe(detail),
        JsonValueKind.Array => string.Join("; ", value.EnumerateArray()
            .Where(d => d.ValueKind == JsonValueKind.Object && d.TryGetProperty("msg", out var msg) && msg.ValueKind == JsonValueKind.String)
            .Select(d => d.GetProperty("msg").GetString() + (d.TryGetProperty("loc", out var loc) && loc.ValueKind == JsonValueKind.Array
                ? $" ({string.Join('.', loc.EnumerateArray().Select(l => l.ToString()))})" : ""))) is { Length: > 0 } joined ? joined : null,
        _ => null,
    };

    /// <summary>
    /// Gemini says when to retry in the body (<c>error.details[].retryDelay</c>, e.g. "9s"), not in a Retry-After header.
    /// </summary>
    public static TimeSpan? ReadRetryDelay(ReadOnlySpan<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            if (!doc.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object
                || !error.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Array) return null;
            foreach (var detail in details.EnumerateArray())
            {
                if (detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty("retryDelay", out var delay) && delay.GetString() is { } text
                    && text.EndsWith('s') && double.TryParse(text[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
                    return TimeSpan.FromSeconds(Math.Ceiling(seconds));
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
