using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Providers.Anthropic;

/// <summary>
/// Turns a stream's <c>tool_use</c> blocks into OpenAI's <c>delta.tool_calls</c> fragments: the block's start gives
/// the call's index (counted over tool calls only, as OpenAI counts them), id and name; each
/// <c>input_json_delta</c> a piece of the arguments. A call whose input streamed nothing gets <c>{}</c> at its stop,
/// so its arguments are always a JSON object.
/// </summary>
internal sealed class AnthropicToolStream(CanonicalAnswer answer)
{
    private readonly Dictionary<int, (int Call, bool Streamed)> _calls = [];

    public ChatCompletionChunk? Read(AnthropicStreamEvent e)
    {
        switch (e.Type)
        {
            case "content_block_start" when e.ContentBlock is { Type: "tool_use" } block:
                var index = _calls.Count;
                _calls[e.Index] = (index, false);
                return answer.ToolCallStart(index, block.Id ?? "", block.Name ?? "");
            case "content_block_delta" when e.Delta is { Type: "input_json_delta", PartialJson: { Length: > 0 } json } && _calls.TryGetValue(e.Index, out var call):
                _calls[e.Index] = (call.Call, true);
                return answer.ToolCallArguments(call.Call, json);
            case "content_block_stop" when _calls.TryGetValue(e.Index, out var done) && !done.Streamed:
                _calls[e.Index] = (done.Call, true);
                return answer.ToolCallArguments(done.Call, "{}");
            default:
                return null;
        }
    }
}
