using System.Text.Json.Serialization;

namespace LlmProxy.Core.Errors;

/// <summary>
/// A failure the caller should see as a unified error body: OpenAI's <c>{error:{message, type, param, code}}</c>
/// (<c>param</c> and <c>code</c> always present, null when they do not apply) plus <c>provider?</c> and <c>status</c>,
/// with the given HTTP status.
/// </summary>
public class ProxyException : Exception
{
    public ProxyException(int status, string type, string message, string? param = null, string? provider = null,
        TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
        Type = type;
        Param = param;
        Provider = provider;
        RetryAfter = retryAfter;
    }

    public int Status { get; }
    public string Type { get; }
    public string? Param { get; }
    public string? Provider { get; }
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// The request reached the vendor, which may bill it though no usable answer came back (a timeout, a connection
    /// broken after sending, a malformed or broken answer). False for refusals: the proxy's own, and a vendor's error
    /// status, which vendors do not bill.
    /// </summary>
    public bool VendorMayHaveBilled { get; init; }

    /// <summary>
    /// The machine-readable reason OpenAI clients switch on (<c>insufficient_quota</c>, a vendor's own code); the
    /// type when nothing more specific applies, so SDKs never print an empty code.
    /// </summary>
    public string? Code { get; init; }

    /// <summary>Extra response headers (rate-limit state and the like).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>The same error with more response headers (theirs win over those it had).</summary>
    public ProxyException WithHeaders(IEnumerable<KeyValuePair<string, string>> more)
    {
        var headers = new Dictionary<string, string>(Headers ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in more) headers[name] = value;
        return new ProxyException(Status, Type, Message, Param, Provider, RetryAfter, this) { Code = Code, Headers = headers };
    }

    public ErrorBody ToBody() => new(new ErrorDetail(Message, Type, Param, Code ?? Type, Provider, Status));

    public static ProxyException BadRequest(string message, string? param = null) =>
        new(400, ErrorTypes.InvalidRequest, message, param);
}

public static class ErrorTypes
{
    public const string InvalidRequest = "invalid_request_error";
    /// <summary>A field the vendor cannot honour (a 400 naming the field and the vendor): refused rather than dropped.</summary>
    public const string UnsupportedParameter = "unsupported_parameter";
    public const string Authentication = "authentication_error";
    public const string PermissionDenied = "permission_denied";
    /// <summary>A publishable key used anywhere but the browser front door (<c>POST /api/llm-proxy</c>).</summary>
    public const string PublishableKeyNotAllowed = "publishable_key_not_allowed";
    /// <summary>A publishable key used without an <c>Origin</c> header, or from an origin the key does not list.</summary>
    public const string OriginNotAllowed = "origin_not_allowed";
    /// <summary>A platform key used from a web page (a request with an <c>Origin</c> header).</summary>
    public const string PlatformKeyNotAllowed = "platform_key_not_allowed";
    /// <summary>An end-user token used anywhere but the browser front door (<c>POST /api/llm-proxy</c>).</summary>
    public const string EndUserTokenNotAllowed = "end_user_token_not_allowed";
    /// <summary>A feature the operator has not set up (its settings are missing).</summary>
    public const string NotConfigured = "not_configured";
    public const string RequestTooLarge = "request_too_large";
    public const string NotFound = "not_found_error";
    /// <summary>A tenant or user used up its period's quota: OpenAI's type and code for an exhausted quota.</summary>
    public const string InsufficientQuota = "insufficient_quota";
    public const string RateLimited = "rate_limit_exceeded";
    /// <summary>The vendor's content filter refused the prompt (Azure OpenAI's 400 <c>content_filter</c>).</summary>
    public const string ContentFiltered = "content_filter";
    /// <summary>Usage cannot be recorded right now (the usage outbox is full or cannot deliver), so no call is admitted.</summary>
    public const string MeteringUnavailable = "metering_unavailable";
    public const string ProviderNotConfigured = "provider_not_configured";
    public const string ProviderAuthentication = "provider_authentication_error";
    public const string ProviderRateLimited = "provider_rate_limited";
    public const string ProviderOverloaded = "provider_overloaded";
    public const string ProviderError = "provider_error";
    public const string ProviderTimeout = "provider_timeout";
    public const string ProviderUnavailable = "provider_unavailable";
    public const string Internal = "internal_error";
}

public sealed record ErrorBody(ErrorDetail Error);

/// <summary>OpenAI's error object; <c>param</c> and <c>code</c> are written even when null, as OpenAI does.</summary>
public sealed record ErrorDetail(
    string Message,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code,
    string? Provider,
    int Status);
