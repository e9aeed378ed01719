using System.Text.Json;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Providers;

/// <summary>
/// Checks shared by the translating adapters: canonical fields a vendor has no place for are refused with a 400
/// that names the field and the vendor, so nothing a vendor would reject is ever sent.
/// </summary>
internal static class RequestShaping
{
    /// <summary>Refuses fields outside the OpenAI schema that the vendor does not take.</summary>
    public static void RefuseExtraFields(string provider, ChatRequest request, params ReadOnlySpan<string> accepted)
    {
        if (request.AdditionalProperties is not { Count: > 0 } extra) return;
        foreach (var name in extra.Keys)
        {
            if (accepted.Contains(name)) continue;
            throw ProxyException.BadRequest($"'{name}' is not supported by {provider}; remove it from the request.", name);
        }
    }

    public static void RefuseSeveralChoices(string provider, ChatRequest request)
    {
        if (request.N is > 1) throw ProxyException.BadRequest($"{provider} answers one choice per call; 'n' must be 1.", "n");
    }

    public static void RefuseTemperatureAbove(string provider, ChatRequest request, double max)
    {
        if (request.Temperature > max)
            throw ProxyException.BadRequest($"{provider} takes 'temperature' from 0 to {max}; got {request.Temperature}.", "temperature");
    }

    /// <summary>
    /// A call's arguments (a JSON text) as the object vendors that take arguments as JSON (Anthropic's <c>input</c>,
    /// Gemini's <c>args</c>) need; empty arguments are an empty object, anything but an object a 400.
    /// </summary>
    public static JsonElement ArgumentsObject(string provider, string arguments, string path)
    {
        if (string.IsNullOrWhiteSpace(arguments)) return EmptyObject;
        try
        {
            using var document = JsonDocument.Parse(arguments);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document.RootElement.Clone();
        }
        catch (JsonException)
        {
        }
        throw ProxyException.BadRequest($"'{path}' must be a JSON object for {provider}.", path);
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    public static int? IntField(ChatRequest request, string name)
    {
        if (request.AdditionalProperties?.TryGetValue(name, out var value) != true || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw ProxyException.BadRequest($"'{name}' must be an integer.", name);
    }

    public static double? NumberField(ChatRequest request, string name)
    {
        if (request.AdditionalProperties?.TryGetValue(name, out var value) != true || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw ProxyException.BadRequest($"'{name}' must be a number.", name);
    }

    /// <summary>OpenAI's newer <c>developer</c> role, for vendors that only know <c>system</c>.</summary>
    public static IReadOnlyList<ChatMessage>? DeveloperAsSystem(IReadOnlyList<ChatMessage>? messages) =>
        messages?.Select(m => m.Role == ChatRoles.Developer ? m with { Role = ChatRoles.System } : m).ToList();

    public static bool HasImages(ChatRequest request) =>
        request.Messages?.Any(m => m.Content?.Parts?.Any(p => p.Type == ContentPartTypes.ImageUrl) == true) == true;

    /// <summary>System and developer messages, which Anthropic and Gemini take outside the turn list.</summary>
    public static bool IsInstruction(ChatMessage message) => message.Role is ChatRoles.System or ChatRoles.Developer;

    /// <summary>Instruction text only: an image in a system message has nowhere to go.</summary>
    public static string InstructionText(string provider, ChatMessage message, int index)
    {
        if (message.Content?.Parts?.Any(p => p.Type != ContentPartTypes.Text) == true)
            throw ProxyException.BadRequest($"{provider} takes only text in system messages.", $"messages[{index}].content");
        return message.Content?.JoinedText() ?? "";
    }
}
