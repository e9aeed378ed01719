using System.Text.Json;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Providers.Gemini;

/// <summary>
/// Maps a conversation's calls to Gemini's parts. A <c>functionResponse</c> names its function rather than a call
/// id, so each tool result finds its function through the id of the call it answers; and since Gemini pairs results
/// with calls by order, a turn's results are put in the order of the calls.
/// </summary>
internal sealed class GeminiCallNames
{
    private readonly Dictionary<string, (string Name, int Order)> _calls = new(StringComparer.Ordinal);

    public GeminiPart Call(ChatToolCall call, string path)
    {
        _calls[call.Id!] = (call.Function!.Name!, _calls.Count);
        return new GeminiPart
        {
            FunctionCall = new GeminiFunctionCall { Name = call.Function.Name!, Args = RequestShaping.ArgumentsObject("Gemini", call.Function.Arguments!, $"{path}.function.arguments") },
        };
    }

    /// <summary>A tool message as a <c>functionResponse</c>: a JSON object result as it is, anything else as <c>{"result": …}</c>.</summary>
    public GeminiPart Response(ChatMessage message, string path)
    {
        if (!_calls.TryGetValue(message.ToolCallId!, out var call))
            throw ProxyException.BadRequest($"'{path}.tool_call_id' answers no call of an earlier assistant message.", $"{path}.tool_call_id");
        var text = message.Content?.JoinedText() ?? "";
        JsonElement response;
        try
        {
            using var parsed = JsonDocument.Parse(text);
            response = parsed.RootElement.ValueKind == JsonValueKind.Object ? parsed.RootElement.Clone() : Wrap(text);
        }
        catch (JsonException)
        {
            response = Wrap(text);
        }
        return new GeminiPart { FunctionResponse = new GeminiFunctionResponse(call.Name, response) { Order = call.Order } };
    }

    private static JsonElement Wrap(string text) =>
        JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["result"] = text }, GeminiJsonContext.Default.DictionaryStringString);

    /// <summary>Each turn's function responses in the order of the calls they answer.</summary>
    public List<GeminiContent> InCallOrder(List<GeminiContent> contents)
    {
        foreach (var content in contents)
        {
            if (!content.Parts.Any(p => p.FunctionResponse is not null)) continue;
            var responses = content.Parts.Where(p => p.FunctionResponse is not null).OrderBy(p => p.FunctionResponse!.Order).ToList();
            var others = content.Parts.Where(p => p.FunctionResponse is null).ToList();
            content.Parts.Clear();
            content.Parts.AddRange(responses);
            content.Parts.AddRange(others);
        }
        return contents;
    }
}
