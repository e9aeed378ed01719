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

    public ChatCompletion Completion(string text, string finishReason, ChatUsage? usage) => new()
    {
        Id = Id,
        Created = created,
        Model = Model,
        Choices = [new ChatChoice { Index = 0, Message = new ChatMessage { Role = ChatRoles.Assistant, Content = MessageContent.FromText(text) }, FinishReason = finishReason }],
        Usage = usage,
    };

    /// <summary>The first chunk: the role, with empty content, as OpenAI sends it.</summary>
    public ChatCompletionChunk Start() => Chunk(new ChatDelta { Role = ChatRoles.Assistant, Content = "" });

    public ChatCompletionChunk Text(string text) => Chunk(new ChatDelta { Content = text });

    public ChatCompletionChunk Finish(string finishReason) => Chunk(new ChatDelta(), finishReason);

    /// <summary>The last chunk: no choices, the call's usage.</summary>
    public ChatCompletionChunk Usage(ChatUsage usage) => new() { Id = Id, Created = created, Model = Model, Choices = [], Usage = usage };

    public ChatCompletionChunk Chunk(IReadOnlyList<ChunkChoice> choices) => new() { Id = Id, Created = created, Model = Model, Choices = choices };

    private ChatCompletionChunk Chunk(ChatDelta delta, string? finishReason = null) =>
        Chunk([new ChunkChoice { Index = 0, Delta = delta, FinishReason = finishReason }]);
}
