using System.Buffers;
using System.Text.Json;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Serialization;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Quotas;

/// <summary>
/// The <see cref="CallBound"/> of a call's canonical request, which every vendor adapter turns into its own request
/// without adding text of its own. Prompt: the UTF-8 length of the request's JSON — every field, unknown ones
/// included, strings escaped as JSON escapes them — because each token of a byte-level BPE or SentencePiece tokenizer
/// covers at least one byte, and the JSON around a message, tool or schema (<c>{"role":"user","content":""}</c> is 28
/// bytes) is longer than the framing tokens a vendor puts there. Image data is billed by pixels, not bytes, so each
/// image counts its per-image cap instead of its URL. Tools and response schemas add
/// <see cref="HiddenPromptAllowance"/> for the system prompt vendors add for them. Output: the output budget, which
/// is always sent (<see cref="CatalogRules"/>), times the number of choices.
/// </summary>
public sealed class CallBounds(IOptions<QuotaOptions> options, ModelCatalog catalog)
{
    /// <summary>
    /// Tokens a vendor adds unseen when a request carries tools or a response schema: Anthropic documents a tool-use
    /// system prompt of at most 530 tokens (Claude 3 Opus; 346 for current models); OpenAI's is smaller.
    /// </summary>
    public const int HiddenPromptAllowance = 1024;

    public CallBound For(ProxyCall call)
    {
        var request = call.Request;
        var images = 0;
        if (request.Messages is { } messages && RequestShaping.HasImages(request))
            request = request with { Messages = WithoutImageData(messages, out images) };

        var prompt = JsonBytes(request) + (long)images * ImageTokens(call);
        if (HasHiddenPrompt(request)) prompt += HiddenPromptAllowance;
        var output = (long)(request.RequestedMaxTokens ?? options.Value.DefaultMaxTokens) * (request.N ?? 1);
        return new CallBound(prompt, output);
    }

    /// <summary>Tools (or the legacy <c>functions</c>) and a response format other than plain text.</summary>
    private static bool HasHiddenPrompt(ChatRequest request) =>
        request.Tools is { Count: > 0 } || request.ResponseFormat is { Type: not ResponseFormat.Text }
        || request.AdditionalProperties?.ContainsKey("functions") == true;

    private long ImageTokens(ProxyCall call) => catalog.Find(call.Provider, call.Model)?.ImageTokens ?? options.Value.ImageTokens;

    private static List<ChatMessage> WithoutImageData(IReadOnlyList<ChatMessage> messages, out int images)
    {
        images = 0;
        var result = new List<ChatMessage>(messages.Count);
        foreach (var message in messages)
        {
            if (message.Content?.Parts is not { } parts || !parts.Any(p => p.Type == ContentPartTypes.ImageUrl))
            {
                result.Add(message);
                continue;
            }
            images += parts.Count(p => p.Type == ContentPartTypes.ImageUrl);
            result.Add(message with
            {
                Content = MessageContent.FromParts(parts.Select(p => p.Type == ContentPartTypes.ImageUrl ? p with { ImageUrl = new ImageUrl() } : p).ToList()),
            });
        }
        return result;
    }

    /// <summary>The length of the request's JSON with the strictest escaping (each non-ASCII character as <c>\uXXXX</c>), written nowhere.</summary>
    private static long JsonBytes(ChatRequest request)
    {
        var counter = new ByteCounter();
        using (var writer = new Utf8JsonWriter(counter))
            JsonSerializer.Serialize(writer, request, ProxyJsonContext.Default.ChatRequest);
        return counter.Count;
    }

    /// <summary>A buffer writer that keeps only the count: one small scratch buffer, reused for every write.</summary>
    private sealed class ByteCounter : IBufferWriter<byte>
    {
        private byte[] _scratch = new byte[4096];

        public long Count { get; private set; }

        public void Advance(int count) => Count += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            if (sizeHint > _scratch.Length) _scratch = new byte[sizeHint];
            return _scratch;
        }

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }
}
