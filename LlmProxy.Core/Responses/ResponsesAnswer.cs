using System.Text.Json.Nodes;
using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Responses;

/// <summary>A whole canonical answer as a <c>response</c>: a <c>message</c> item for its text, a <c>function_call</c> item per call.</summary>
public static class ResponsesAnswer
{
    public static JsonObject Response(ChatCompletion completion, ResponseEnvelope envelope)
    {
        var choice = completion.Choices.FirstOrDefault();
        var output = new JsonArray();
        if (choice?.Message.Refusal is { Length: > 0 } refusal)
            output.Add(Message(ResponseEnvelope.NewId("msg"), new JsonObject { ["type"] = "refusal", ["refusal"] = refusal }));
        else if (choice?.Message.Content?.JoinedText() is { Length: > 0 } text)
            output.Add(Message(ResponseEnvelope.NewId("msg"), OutputText(text)));
        foreach (var call in choice?.Message.ToolCalls ?? [])
            output.Add(FunctionCall(ResponseEnvelope.NewId("fc"), call.Id ?? ResponseEnvelope.NewId("call"), call.Function?.Name ?? "", call.Function?.Arguments ?? "", "completed"));
        var incomplete = ResponseEnvelope.IncompleteReason(choice?.FinishReason);
        return envelope.Build(incomplete is null ? "completed" : "incomplete", output, completion.Usage ?? ChatUsage.Of(0, 0), incompleteReason: incomplete);
    }

    public static JsonObject OutputText(string text) => new() { ["type"] = "output_text", ["annotations"] = new JsonArray(), ["logprobs"] = new JsonArray(), ["text"] = text };

    public static JsonObject Message(string id, JsonObject? part, string status = "completed") => new()
    {
        ["id"] = id, ["type"] = "message", ["status"] = status, ["content"] = part is null ? new JsonArray() : new JsonArray(part), ["role"] = "assistant",
    };

    public static JsonObject FunctionCall(string id, string callId, string name, string arguments, string status) => new()
    {
        ["id"] = id, ["type"] = "function_call", ["status"] = status, ["arguments"] = arguments, ["call_id"] = callId, ["name"] = name,
    };
}
