using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Providers.OpenAI;

/// <summary>
/// Fills what an OpenAI-like vendor may leave out of its tool calls and OpenAI never does (Mistral sends a call
/// without <c>type</c>, and in streams without <c>index</c>): the SDKs' stream helpers need both to assemble the
/// calls. Chunks and answers without tool calls pass through untouched, as do complete ones.
/// </summary>
internal sealed class ToolCallFragments
{
    private int _started;

    public ChatCompletionChunk Complete(ChatCompletionChunk chunk)
    {
        var choices = chunk.Choices;
        for (var i = 0; i < choices.Count; i++)
        {
            if (choices[i].Delta.ToolCalls is not { } calls || calls.All(c => c.Index is not null && (c.Id is null || c.Type is not null))) continue;
            return chunk with { Choices = choices.Select(c => c.Delta.ToolCalls is null ? c : c with { Delta = c.Delta with { ToolCalls = c.Delta.ToolCalls.Select(Fill).ToList() } }).ToList() };
        }
        return chunk;
    }

    private ChatToolCallDelta Fill(ChatToolCallDelta call)
    {
        // A fragment without index continues the call started last; one with an id starts the next call.
        var index = call.Index ?? (call.Id is not null ? _started : Math.Max(0, _started - 1));
        if (call.Id is not null) _started = Math.Max(_started, index + 1);
        return call with { Index = index, Type = call.Id is not null ? call.Type ?? ToolTypes.Function : call.Type };
    }

    public static ChatCompletion Complete(ChatCompletion completion)
    {
        if (completion.Choices.All(c => c.Message.ToolCalls?.All(t => t.Type is not null) != false)) return completion;
        return completion with
        {
            Choices = completion.Choices.Select(c => c.Message.ToolCalls is null ? c : c with
            {
                Message = c.Message with { ToolCalls = c.Message.ToolCalls.Select(t => t with { Type = t.Type ?? ToolTypes.Function }).ToList() },
            }).ToList(),
        };
    }
}
