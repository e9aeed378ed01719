using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Cors;

/// <summary>
/// Decides the CORS response headers for a request, for either host. No credentials are ever allowed: callers
/// authenticate with an <c>Authorization</c> header, never cookies, so reflecting the requested headers is safe.
/// </summary>
public sealed class CorsPolicy
{
    public const string AllowedMethods = "GET, POST";

    /// <summary>Response headers browser code needs: the wait after a 429, which vendor and model answered, the quota left and when it renews, the request ids.</summary>
    public const string ExposedHeaders = "Retry-After, X-LlmProxy-Provider, X-LlmProxy-Model, X-Quota-Remaining, X-Quota-Remaining-Usd, X-Quota-Reset, X-Request-Id, X-Vendor-Request-Id";

    /// <summary>How long a browser may cache a preflight answer.</summary>
    public const string PreflightMaxAgeSeconds = "600";

    private readonly HashSet<string> _origins;
    private readonly bool _anyOrigin;

    public CorsPolicy(IOptions<CorsOptions> options)
    {
        var entries = options.Value.AllowedOrigins.Select(o => o.Trim().TrimEnd('/')).Where(o => o.Length > 0).ToList();
        _anyOrigin = entries.Contains("*");
        _origins = new HashSet<string>(entries, StringComparer.OrdinalIgnoreCase);
    }

    public bool Enabled => _anyOrigin || _origins.Count > 0;

    public bool IsAllowed(string? origin) =>
        !string.IsNullOrEmpty(origin) && (_anyOrigin || _origins.Contains(origin));

    /// <summary>Headers for an actual (non-preflight) response to a request from <paramref name="origin"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders(string? origin)
    {
        if (!Enabled) return [];
        var headers = new List<KeyValuePair<string, string>>();
        // Answers differ by Origin unless every origin is allowed, so caches must key on it.
        if (!_anyOrigin) headers.Add(new("Vary", "Origin"));
        if (!IsAllowed(origin)) return headers;
        headers.Add(new("Access-Control-Allow-Origin", _anyOrigin ? "*" : origin!));
        headers.Add(new("Access-Control-Expose-Headers", ExposedHeaders));
        return headers;
    }

    /// <summary>
    /// Headers of an answer to a publishable key's call from <paramref name="origin"/>, which the key lists: that
    /// origin only, whatever the configured list says (even <c>*</c>), since the key is bound to its own origins.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> KeyBoundHeaders(string origin) =>
        [new("Vary", "Origin"), new("Access-Control-Allow-Origin", origin), new("Access-Control-Expose-Headers", ExposedHeaders)];

    /// <summary>Headers answering a preflight; without <c>Access-Control-Allow-Origin</c> the browser refuses the call.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> PreflightHeaders(string? origin, string? requestMethod, string? requestHeaders)
    {
        var headers = ResponseHeaders(origin).Where(h => h.Key != "Access-Control-Expose-Headers").ToList();
        if (!IsAllowed(origin) || requestMethod is not ("GET" or "POST" or "HEAD"))
            return headers.Where(h => h.Key != "Access-Control-Allow-Origin").ToList();
        headers.Add(new("Access-Control-Allow-Methods", AllowedMethods));
        if (!string.IsNullOrWhiteSpace(requestHeaders) && requestHeaders.All(IsHeaderListChar))
            headers.Add(new("Access-Control-Allow-Headers", requestHeaders));
        headers.Add(new("Access-Control-Max-Age", PreflightMaxAgeSeconds));
        return headers;
    }

    private static bool IsHeaderListChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ',' or ' ';
}
