using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Responses;

/// <summary>One typed event of a Responses stream; its data repeats the type and carries the <c>sequence_number</c>.</summary>
public sealed record ResponsesEvent(string Type, JsonObject Data);

/// <summary>
/// A canonical chunk stream as the Responses API's typed events, in OpenAI's order: <c>response.created</c>,
/// <c>response.in_progress</c>; per output item <c>output_item.added</c>, then for a message
/// <c>content_part.added</c>, <c>output_text.delta</c>…, <c>output_text.done</c>, <c>content_part.done</c>, or for a
/// call <c>function_call_arguments.delta</c>…, <c>function_call_arguments.done</c>; <c>output_item.done</c>; last
/// <c>response.completed</c> (<c>response.incomplete</c> when cut short, <c>response.failed</c> on a failure).
/// OpenAI-style vendors send the finish reason before the usage chunk, so the ending waits for the usage.
/// </summary>
public sealed class ResponsesStream(ResponseEnvelope envelope)
{
    private readonly JsonArray _output = [];
    private int _sequence;
    private bool _started;
    private bool _ended;
    private OpenItem? _open;
    private string? _finishReason;

    /// <summary>The item being streamed: its place in <c>output</c>, its id, its accumulated text or arguments.</summary>
    private sealed record OpenItem(int Index, string Id, int? Call, string? CallId, string? Name)
    {
        public StringBuilder Text { get; } = new();
    }

    public IEnumerable<ResponsesEvent> Read(ChatCompletionChunk chunk)
    {
        if (!_started)
        {
            _started = true;
            yield return Lifecycle("response.created", "in_progress", null);
            yield return Lifecycle("response.in_progress", "in_progress", null);
        }
        var choice = chunk.Choices.FirstOrDefault(c => c.Index == 0);
        if (choice?.Delta.Content is { Length: > 0 } text)
        {
            if (_open is not { Call: null })
            {
                foreach (var e in Close()) yield return e;
                _open = new OpenItem(_output.Count, ResponseEnvelope.NewId("msg"), null, null, null);
                yield return Event("response.output_item.added", new JsonObject
                {
                    ["output_index"] = _open.Index, ["item"] = ResponsesAnswer.Message(_open.Id, null, "in_progress"),
                });
                yield return Event("response.content_part.added", Part(_open, ResponsesAnswer.OutputText("")));
            }
            _open.Text.Append(text);
            yield return Event("response.output_text.delta", new JsonObject
            {
                ["item_id"] = _open.Id, ["output_index"] = _open.Index, ["content_index"] = 0, ["delta"] = text, ["logprobs"] = new JsonArray(),
            });
        }
        foreach (var call in choice?.Delta.ToolCalls ?? [])
        {
            var index = call.Index ?? 0;
            if (call.Id is not null && _open?.Call != index)
            {
                foreach (var e in Close()) yield return e;
                _open = new OpenItem(_output.Count, ResponseEnvelope.NewId("fc"), index, call.Id, call.Function?.Name ?? "");
                yield return Event("response.output_item.added", new JsonObject
                {
                    ["output_index"] = _open.Index, ["item"] = ResponsesAnswer.FunctionCall(_open.Id, call.Id, _open.Name!, "", "in_progress"),
                });
            }
            // Only the open call can take arguments: OpenAI-style vendors stream one call after another.
            if (call.Function?.Arguments is { Length: > 0 } arguments && _open is { } current && current.Call == index)
            {
                current.Text.Append(arguments);
                yield return Event("response.function_call_arguments.delta", new JsonObject
                {
                    ["item_id"] = current.Id, ["output_index"] = current.Index, ["delta"] = arguments,
                });
            }
        }
        if (choice?.FinishReason is { } finish) _finishReason = finish;
        if (chunk.Usage is { } usage && _finishReason is not null)
            foreach (var e in End(usage)) yield return e;
    }

    /// <summary>Whether <paramref name="e"/> is the event that ends a stream which did not fail.</summary>
    public static bool IsEnd(ResponsesEvent e) => e.Type is "response.completed" or "response.incomplete";

    /// <summary>The ending, when the stream ended without a usage chunk after its finish reason.</summary>
    public IEnumerable<ResponsesEvent> Complete() => _ended ? [] : End(ChatUsage.Of(0, 0));

    /// <summary>A failure mid-stream: what was streamed stays in <c>output</c>, the response is <c>failed</c> with the error.</summary>
    public IEnumerable<ResponsesEvent> Fail(ProxyException error)
    {
        _ended = true;
        if (!_started)
        {
            _started = true;
            yield return Lifecycle("response.created", "in_progress", null);
        }
        yield return Lifecycle("response.failed", "failed", null, ResponseEnvelope.Error(error));
    }

    private IEnumerable<ResponsesEvent> End(ChatUsage usage)
    {
        _ended = true;
        foreach (var e in Close()) yield return e;
        var incomplete = ResponseEnvelope.IncompleteReason(_finishReason);
        yield return incomplete is null
            ? Lifecycle("response.completed", "completed", usage)
            : Lifecycle("response.incomplete", "incomplete", usage, incompleteReason: incomplete);
    }

    private IEnumerable<ResponsesEvent> Close()
    {
        if (_open is not { } open) yield break;
        _open = null;
        var text = open.Text.ToString();
        JsonObject item;
        if (open.Call is null)
        {
            yield return Event("response.output_text.done", new JsonObject
            {
                ["item_id"] = open.Id, ["output_index"] = open.Index, ["content_index"] = 0, ["text"] = text, ["logprobs"] = new JsonArray(),
            });
            yield return Event("response.content_part.done", Part(open, ResponsesAnswer.OutputText(text)));
            item = ResponsesAnswer.Message(open.Id, ResponsesAnswer.OutputText(text));
        }
        else
        {
            yield return Event("response.function_call_arguments.done", new JsonObject
            {
                ["item_id"] = open.Id, ["output_index"] = open.Index, ["name"] = open.Name, ["arguments"] = text,
            });
            item = ResponsesAnswer.FunctionCall(open.Id, open.CallId!, open.Name!, text, "completed");
        }
        _output.Add(item.DeepClone());
        yield return Event("response.output_item.done", new JsonObject { ["output_index"] = open.Index, ["item"] = item });
    }

    private static JsonObject Part(OpenItem item, JsonObject part) => new()
    {
        ["item_id"] = item.Id, ["output_index"] = item.Index, ["content_index"] = 0, ["part"] = part,
    };

    private ResponsesEvent Lifecycle(string type, string status, ChatUsage? usage, JsonObject? error = null, string? incompleteReason = null) =>
        Event(type, new JsonObject { ["response"] = envelope.Build(status, (JsonArray)_output.DeepClone(), usage, error, incompleteReason) });

    private ResponsesEvent Event(string type, JsonObject data)
    {
        data.Insert(0, "type", type);
        data.Insert(1, "sequence_number", _sequence++);
        return new ResponsesEvent(type, data);
    }
}
