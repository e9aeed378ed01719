using System.Text.Json.Nodes;
using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Messages;

/// <summary>One event of an Anthropic stream: its name and its data (which repeats the name as <c>type</c>).</summary>
public sealed record MessagesEvent(string Name, JsonObject Data);

/// <summary>
/// A canonical chunk stream as Anthropic's named events: <c>message_start</c> and a <c>ping</c>, then per block
/// <c>content_block_start</c>, <c>content_block_delta</c> (<c>text_delta</c> or <c>input_json_delta</c>) and
/// <c>content_block_stop</c>, then <c>message_delta</c> (stop reason and usage) and <c>message_stop</c>. OpenAI-style
/// vendors send the finish reason before the usage chunk, so the ending waits for the usage (or the end of the stream).
/// </summary>
public sealed class MessagesStream(string model)
{
    private bool _started;
    private int _blocks;
    private (string Kind, int Call)? _open;
    private readonly Dictionary<int, int> _callBlocks = [];
    private string? _stopReason;
    private bool _ended;

    public IEnumerable<MessagesEvent> Read(ChatCompletionChunk chunk)
    {
        if (!_started)
        {
            _started = true;
            yield return Event("message_start", new JsonObject
            {
                ["message"] = new JsonObject
                {
                    ["id"] = chunk.Id, ["type"] = "message", ["role"] = "assistant", ["model"] = model, ["content"] = new JsonArray(),
                    ["stop_reason"] = null, ["stop_sequence"] = null, ["usage"] = MessagesAnswer.Usage(ChatUsage.Of(0, 0)),
                },
            });
            yield return Event("ping", new JsonObject());
        }
        var choice = chunk.Choices.FirstOrDefault(c => c.Index == 0);
        if (choice?.Delta.Content is { Length: > 0 } text)
        {
            foreach (var e in Open("text", -1, () => new JsonObject { ["type"] = "text", ["text"] = "" })) yield return e;
            yield return Event("content_block_delta", new JsonObject { ["index"] = _blocks - 1, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = text } });
        }
        foreach (var call in choice?.Delta.ToolCalls ?? [])
        {
            var index = call.Index ?? 0;
            if (call.Id is not null)
                foreach (var e in Open("tool_use", index, () => new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Function?.Name ?? "", ["input"] = new JsonObject() }))
                    yield return e;
            if (call.Function?.Arguments is { Length: > 0 } arguments && _callBlocks.TryGetValue(index, out var block))
                yield return Event("content_block_delta", new JsonObject { ["index"] = block, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = arguments } });
        }
        if (choice?.FinishReason is { } finish) _stopReason = MessagesAnswer.StopReason(finish);
        if (chunk.Usage is { } usage && _stopReason is not null)
            foreach (var e in End(usage)) yield return e;
    }

    /// <summary>The ending, when the stream ended without a usage chunk after its finish reason.</summary>
    public IEnumerable<MessagesEvent> Complete() => _ended ? [] : End(ChatUsage.Of(0, 0));

    private IEnumerable<MessagesEvent> Open(string kind, int call, Func<JsonObject> block)
    {
        if (_open is { } open && open.Kind == kind && open.Call == call) yield break;
        foreach (var e in Close()) yield return e;
        if (call >= 0) _callBlocks[call] = _blocks;
        _open = (kind, call);
        yield return Event("content_block_start", new JsonObject { ["index"] = _blocks++, ["content_block"] = block() });
    }

    private IEnumerable<MessagesEvent> Close()
    {
        if (_open is null) yield break;
        _open = null;
        yield return Event("content_block_stop", new JsonObject { ["index"] = _blocks - 1 });
    }

    private IEnumerable<MessagesEvent> End(ChatUsage usage)
    {
        _ended = true;
        foreach (var e in Close()) yield return e;
        yield return Event("message_delta", new JsonObject
        {
            ["delta"] = new JsonObject { ["stop_reason"] = _stopReason ?? "end_turn", ["stop_sequence"] = null },
            ["usage"] = MessagesAnswer.Usage(usage),
        });
        yield return Event("message_stop", new JsonObject());
    }

    private static MessagesEvent Event(string name, JsonObject data)
    {
        data.Insert(0, "type", name);
        return new MessagesEvent(name, data);
    }
}
