namespace LlmProxy.Core.Cors;

/// <summary>Which browser origins may call the API (section <c>LlmProxy:Cors</c>); the seed's <c>allowed_origins</c>.</summary>
public sealed class CorsOptions
{
    public const string Section = "LlmProxy:Cors";

    /// <summary>
    /// Origins such as <c>https://app.example.com</c> (scheme, host and port; no path), or <c>*</c> for any origin.
    /// Empty: the proxy adds no CORS headers, so browsers on other origins cannot read its answers.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Blank entries are allowed (an empty app setting) and ignored.</summary>
    internal static bool IsValidEntry(string? entry) =>
        string.IsNullOrWhiteSpace(entry) || entry == "*" || Origins.Exact(entry.TrimEnd('/')) is not null;
}
