using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Providers;

/// <summary>
/// Builds the canonical answer shapes for the translating adapters: a one-choice <c>chat.completion</c>, and the
/// <c>chat.completion.chunk</c> frames of a stream that all carry the same id, model and creation time.
/// </summary>
internal sealed class CanonicalAnswer(string id, string model, long created)
{
    public string Id { get; set; } = id;
    public string Model { get; set; } = model;

    /// <summary>A whole answer; with tool calls and no text its content is null, as OpenAI answers.</summary>
    public ChatCompletion Completion(string text, string finishReason, ChatUsage? usage, IReadOnlyList<ChatToolCall>? toolCalls = null) => new()
    {
        Id = Id,
        Created = created,
        Model = Model,
        Choices =
        [
            new ChatChoice
            {
                Index = 0,
                Message = new ChatMessage
                {
                    Role = ChatRoles.Assistant,
                    Content = text.Length == 0 && toolCalls is { Count: > 0 } ? null : MessageContent.FromText(text),
                    ToolCalls = toolCalls is { Count: > 0 } ? toolCalls : null,
                },
                FinishReason = finishReason,
            },
        ],
        Usage = usage,
    };

    public static ChatToolCall ToolCall(string id, string name, string arguments) =>
        new() { Id = id, Type = ToolTypes.Function, Function = new ChatFunctionCall { Name = name, Arguments = arguments } };

    /// <summary>The first chunk: the role, with empty content, as OpenAI sends it.</summary>
    public ChatCompletionChunk Start() => Chunk(new ChatDelta { Role = ChatRoles.Assistant, Content = "" });

    public ChatCompletionChunk Text(string text) => Chunk(new ChatDelta { Content = text });

    /// <summary>A call's first fragment, as OpenAI streams it: index, id, type and name, with empty arguments.</summary>
    public ChatCompletionChunk ToolCallStart(int index, string id, string name) => Chunk(ToolCallStartDelta(index, id, name));

    /// <summary>A later fragment of a call: its index and a piece of the arguments' JSON text.</summary>
    public ChatCompletionChunk ToolCallArguments(int index, string fragment) => Chunk(ToolCallArgumentsDelta(index, fragment));

    public static ChatDelta ToolCallStartDelta(int index, string id, string name) => new()
    {
        ToolCalls = [new ChatToolCallDelta { Index = index, Id = id, Type = ToolTypes.Function, Function = new ChatFunctionCall { Name = name, Arguments = "" } }],
    };

    public static ChatDelta ToolCallArgumentsDelta(int index, string fragment) => new()
    {
        ToolCalls = [new ChatToolCallDelta { Index = index, Function = new ChatFunctionCall { Arguments = fragment } }],
    };

    public ChatCompletionChunk Finish(string finishReason) => Chunk(new ChatDelta(), finishReason);

    /// <summary>The last chunk: no choices, the call's usage.</summary>
    public ChatCompletionChunk Usage(ChatUsage usage) => new() { Id = Id, Created = created, Model = Model, Choices = [], Usage = usage };

    public ChatCompletionChunk Chunk(IReadOnlyList<ChunkChoice> choices) => new() { Id = Id, Created = created, Model = Model, Choices = choices };

    private ChatCompletionChunk Chunk(ChatDelta delta, string? finishReason = null) =>
        Chunk([new ChunkChoice { Index = 0, Delta = delta, FinishReason = finishReason }]);
}
