using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Providers;

/// <summary>
/// One vendor adapter: canonical request in, canonical answer or chunk stream out.
/// Vendor failures surface as <see cref="Errors.ProxyException"/> with the canonical mapping applied.
/// </summary>
public interface IChatProvider
{
    /// <summary>Lower-case vendor name used in <c>provider</c> and in <c>provider/model</c>.</summary>
    string Name { get; }

    /// <summary>True when the vendor can be called (its API key is set).</summary>
    bool IsConfigured { get; }

    /// <param name="request">The canonical request with <see cref="ChatRequest.Model"/> set to the vendor's model name.</param>
    Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken);

    /// <summary>Streams the answer; the vendor call is under way when the first chunk arrives.</summary>
    IAsyncEnumerable<ChatCompletionChunk> StreamAsync(ChatRequest request, CancellationToken cancellationToken);
}
