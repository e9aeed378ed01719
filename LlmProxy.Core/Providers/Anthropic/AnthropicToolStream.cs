using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Providers.Anthropic;

/// <summary>
/// Turns a stream's <c>tool_use</c> blocks into OpenAI's <c>delta.tool_calls</c> fragments: the block's start gives
/// the call's index (counted over tool calls only, as OpenAI counts them), id and name; each
/// <c>input_json_delta</c> a piece of the arguments. A call whose input streamed nothing gets <c>{}</c> at its stop,
/// so its arguments are always a JSON object. The response format's tool (<see cref="AnswerTool"/>) streams as
/// content instead: its input is the answer.
/// </summary>
internal sealed class AnthropicToolStream(CanonicalAnswer answer, string? formatTool)
{
    /// <summary>Stands for the format tool's block among the calls.</summary>
    private const int Answer = -1;

    private readonly Dictionary<int, (int Call, bool Streamed)> _blocks = [];
    private int _calls;

    public ChatCompletionChunk? Read(AnthropicStreamEvent e)
    {
        switch (e.Type)
        {
            case "content_block_start" when e.ContentBlock is { Type: "tool_use" } block:
                if (block.Name == formatTool)
                {
                    _blocks[e.Index] = (Answer, false);
                    return null;
                }
                _blocks[e.Index] = (_calls, false);
                return answer.ToolCallStart(_calls++, block.Id ?? "", block.Name ?? "");
            case "content_block_delta" when e.Delta is { Type: "input_json_delta", PartialJson: { Length: > 0 } json } && _blocks.TryGetValue(e.Index, out var block):
                _blocks[e.Index] = (block.Call, true);
                return Piece(block.Call, json);
            case "content_block_stop" when _blocks.TryGetValue(e.Index, out var done) && !done.Streamed:
                _blocks[e.Index] = (done.Call, true);
                return Piece(done.Call, "{}");
            default:
                return null;
        }
    }

    /// <summary>Anthropic stops for <c>tool_use</c> when the format tool answered too; then the answer is complete, not a call.</summary>
    public string Finish(string finishReason) =>
        finishReason == FinishReasons.ToolCalls && _calls == 0 && _blocks.Count > 0 ? FinishReasons.Stop : finishReason;

    private ChatCompletionChunk Piece(int call, string json) => call == Answer ? answer.Text(json) : answer.ToolCallArguments(call, json);
}
