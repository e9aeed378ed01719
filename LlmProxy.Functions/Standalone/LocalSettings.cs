using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace LlmProxy.Functions.Standalone;

/// <summary>
/// Reads the <c>Values</c> of a <c>local.settings.json</c> the way Core Tools do, so both hosts share one
/// settings file. <c>__</c> in names is the environment-variable form of <c>:</c>.
/// </summary>
internal static class LocalSettings
{
    public static void AddTo(IConfigurationBuilder configuration, string path)
    {
        if (!File.Exists(path)) return;
        using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Object) return;
        var settings = values.EnumerateObject()
            .Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal),
                p => (string?)(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText()));
        configuration.AddInMemoryCollection(settings);
    }
}
