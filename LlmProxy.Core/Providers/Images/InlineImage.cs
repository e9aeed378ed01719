using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Providers.Images;

/// <summary>An image as raw base64 plus its media type, the form Anthropic and Gemini take inline.</summary>
public sealed record InlineImage(string MediaType, string Base64)
{
    public static bool IsDataUrl(string url) => url.StartsWith("data:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Splits a <c>data:image/png;base64,...</c> URL (already checked by the request validator).</summary>
    public static InlineImage FromDataUrl(string url)
    {
        var comma = url.IndexOf(',');
        if (!IsDataUrl(url) || comma < 0) throw ProxyException.BadRequest("An image data URL is malformed.");
        var mediaType = url[5..comma].Split(';')[0].ToLowerInvariant();
        return new InlineImage(mediaType, url[(comma + 1)..]);
    }
}
