using System.Text.Json;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers.Capabilities;

namespace LlmProxy.Core.Providers.AzureOpenAI;

/// <summary>
/// Azure's content filter refusing a prompt: HTTP 400 with <c>error.code: "content_filter"</c> and, under
/// <c>error.innererror.content_filter_result</c>, each category with <c>filtered</c> and a severity (or <c>detected</c>
/// for jailbreak and protected material). The caller gets a 400 <c>content_filter</c> naming the categories that
/// fired, so the refusal reads as the prompt's fault and not as a malformed request.
/// </summary>
internal static class ContentFilterRefusal
{
    public const string Code = "content_filter";

    /// <summary>The unified error for a content-filter refusal; null for any other answer.</summary>
    public static ProxyException? From(string provider, int status, ReadOnlySpan<byte> body)
    {
        if (status != 400 || body.IsEmpty) return null;
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            if (!doc.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object
                || !error.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.String || code.GetString() != Code)
                return null;
            var fired = error.TryGetProperty("innererror", out var inner) && inner.ValueKind == JsonValueKind.Object
                && inner.TryGetProperty("content_filter_result", out var result) && result.ValueKind == JsonValueKind.Object
                ? Fired(result).ToList() : [];
            var which = fired.Count == 0 ? "" : $" ({string.Join(", ", fired)})";
            return new ProxyException(400, ErrorTypes.ContentFiltered,
                $"{VendorCapabilities.Label(provider)}'s content filter refused the prompt{which}; change the prompt, or the deployment's content filter policy.", "messages", provider);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The categories that fired, as "violence: medium" or "jailbreak".</summary>
    private static IEnumerable<string> Fired(JsonElement result)
    {
        foreach (var category in result.EnumerateObject())
        {
            if (category.Value.ValueKind != JsonValueKind.Object || !category.Value.TryGetProperty("filtered", out var filtered) || filtered.ValueKind != JsonValueKind.True)
                continue;
            yield return category.Value.TryGetProperty("severity", out var severity) && severity.ValueKind == JsonValueKind.String
                ? $"{category.Name}: {severity.GetString()}" : category.Name;
        }
    }
}
