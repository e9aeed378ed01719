using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace LlmProxy.Functions.StaticAssets;

/// <summary>
/// A strict Content-Security-Policy for a page served from the assets: scripts, styles and connections only from the
/// proxy itself, no framing, no plugins. The page's inline <c>&lt;style&gt;</c> blocks are allowed by their hash, so
/// no <c>'unsafe-inline'</c> is needed.
/// </summary>
public static partial class ContentSecurityPolicy
{
    public static string ForPage(StaticAsset page)
    {
        var styleHashes = InlineStyles().Matches(Encoding.UTF8.GetString(page.Content))
            .Select(m => $" 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value)))}'");
        return "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; " +
               $"style-src 'self'{string.Concat(styleHashes)}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex InlineStyles();
}
