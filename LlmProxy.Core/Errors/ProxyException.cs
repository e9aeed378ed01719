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

    public ErrorBody ToBody() => new(new ErrorDetail(Type, Message, Param, Provider, Status));

    public static ProxyException BadRequest(string message, string? param = null) =>
        new(400, ErrorTypes.InvalidRequest, message, param);
}

public static class ErrorTypes
{
    public const string InvalidRequest = "invalid_request_error";
    public const string RequestTooLarge = "request_too_large";
    public const string NotFound = "not_found_error";
    public const string QuotaExceeded = "quota_exceeded";
    public const string RateLimited = "rate_limit_exceeded";
    public const string ProviderNotConfigured = "provider_not_configured";
    public const string ProviderAuthentication = "provider_authentication_error";
    public const string ProviderRateLimited = "provider_rate_limited";
    public const string ProviderOverloaded = "provider_overloaded";
    public const string ProviderError = "provider_error";
    public const string ProviderTimeout = "provider_timeout";
    public const string Internal = "internal_error";
    public const string Unauthorized = "unauthorized";
    public const string AdminDisabled = "admin_disabled";
}

public sealed record ErrorBody(ErrorDetail Error);

public sealed record ErrorDetail(string Type, string Message, string? Param, string? Provider, int Status);
