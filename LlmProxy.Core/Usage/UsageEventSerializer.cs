using System.Text.Json;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Serialization;

namespace LlmProxy.Core.Usage;

/// <summary>The queue message format of a usage event: camelCase JSON.</summary>
public static class UsageEventSerializer
{
    public static string Serialize(UsageEvent usage) =>
        JsonSerializer.Serialize(usage, ProxyDocumentsJsonContext.Default.UsageEvent);

    /// <exception cref="FormatException">The message is not a usage event; it belongs in the poison queue.</exception>
    public static UsageEvent Deserialize(string message)
    {
        try
        {
            var usage = JsonSerializer.Deserialize(message, ProxyDocumentsJsonContext.Default.UsageEvent)
                ?? throw new FormatException("The usage message is JSON null.");
            if (string.IsNullOrWhiteSpace(usage.Id)) throw new FormatException("The usage message has an empty id.");
            if (!RequestValidator.IsValidId(usage.Id) || !RequestValidator.IsValidId(usage.TenantId) || !RequestValidator.IsValidId(usage.UserId))
                throw new FormatException("The usage message has an id, tenantId or userId that is too long or holds '/', '\\', '#', '?' or control characters.");
            if (usage.PromptTokens < 0 || usage.CompletionTokens < 0) throw new FormatException("The usage message has negative token counts.");
            return usage;
        }
        catch (JsonException e)
        {
            throw new FormatException("The usage message is not a valid usage event: " + e.Message, e);
        }
    }
}
