namespace LlmProxy.Core.Cors;

/// <summary>Origins as browsers send them in <c>Origin</c>: <c>scheme://host[:port]</c>.</summary>
public static class Origins
{
    /// <summary>
    /// The origin <paramref name="entry"/> names exactly (http or https, host, optional port; no user info, path, query
    /// or trailing slash), in lower case; null for anything else.
    /// </summary>
    public static string? Exact(string entry) =>
        Uri.TryCreate(entry, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0
        && uri.GetLeftPart(UriPartial.Authority) is var authority && authority.Equals(entry, StringComparison.OrdinalIgnoreCase)
            ? authority.ToLowerInvariant()
            : null;
}
