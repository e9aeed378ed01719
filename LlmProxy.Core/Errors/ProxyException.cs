namespace LlmProxy.Core.Errors;

/// <summary>
/// A failure the caller should see as a unified error body <c>{error:{type, message, param?, provider?, status}}</c>
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

    /// <summary>Extra response headers (rate-limit state and the like).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>The same error with <paramref name="more"/> added to its headers (the call's rate-limit state, say).</summary>
    public ProxyException WithHeaders(IReadOnlyDictionary<string, string> more) =>
        new(Status, Type, Message, Param, Provider, RetryAfter, this)
        {
            Headers = (Headers ?? new Dictionary<string, string>()).Concat(more).ToDictionary(),
        };

    public ErrorBody ToBody() => new(new ErrorDetail(Type, Message, Param, Provider, Status));

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
    /// <summary>An end-user token used anywhere but the browser front door (<c>POST /api/llm-proxy</c>).</summary>
    public const string EndUserTokenNotAllowed = "end_user_token_not_allowed";
    /// <summary>A feature the operator has not set up (its settings are missing).</summary>
    public const string NotConfigured = "not_configured";
    public const string RequestTooLarge = "request_too_large";
    public const string NotFound = "not_found_error";
    public const string QuotaExceeded = "quota_exceeded";
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

public sealed record ErrorDetail(string Type, string Message, string? Param, string? Provider, int Status);
