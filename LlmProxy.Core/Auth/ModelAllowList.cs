using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Auth;

/// <summary>
/// The models a browser credential (a publishable key, an end-user token) may call: entries <c>provider</c> (any of
/// its models) or <c>provider/model</c>, lower case; null allows any.
/// </summary>
public static class ModelAllowList
{
    public const int MaxEntries = 50;

    public static bool Allows(IReadOnlyList<string>? entries, string provider, string model) =>
        entries is null || entries.Any(entry =>
            entry.Equals(provider, StringComparison.OrdinalIgnoreCase) || entry.Equals($"{provider}/{model}", StringComparison.OrdinalIgnoreCase));

    /// <summary>The list a creation body asks for (null stays null); a 400 naming <paramref name="param"/> when malformed.</summary>
    public static List<string>? Parse(List<string>? entries, string param)
    {
        if (entries is null) return null;
        if (entries.Count is 0 or > MaxEntries || entries.Any(e => e is not { Length: > 0 and <= 200 } || e.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) || e.StartsWith('/') || e.EndsWith('/')))
            throw ProxyException.BadRequest($"'{param}' must be 1 to {MaxEntries} entries \"provider\" or \"provider/model\".", param);
        return entries.Select(e => e.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
    }
}
