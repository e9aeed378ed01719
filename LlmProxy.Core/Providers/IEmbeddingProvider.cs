using LlmProxy.Core.Embeddings;

namespace LlmProxy.Core.Providers;

/// <summary>
/// A vendor's embeddings endpoint. Implemented by the adapters of vendors that have one, beside
/// <see cref="IChatProvider"/>; vendor failures surface as <see cref="Errors.ProxyException"/> like chat's.
/// </summary>
public interface IEmbeddingProvider
{
    string Name { get; }

    bool IsConfigured { get; }

    /// <summary>How much one vendor call may carry; the proxy splits longer lists into several calls.</summary>
    EmbeddingLimits Limits { get; }

    /// <param name="inputs">Texts of <paramref name="call"/> within <see cref="Limits"/>.</param>
    /// <returns>One vector per input, in the order given.</returns>
    Task<EmbeddingBatch> EmbedAsync(EmbeddingCall call, IReadOnlyList<string> inputs, CancellationToken cancellationToken);
}

/// <summary>What one vendor call returned.</summary>
/// <param name="PromptTokens">The tokens the vendor reports billing; null when it reports none (Gemini).</param>
/// <param name="Model">The model the vendor says answered, when it says.</param>
public sealed record EmbeddingBatch(IReadOnlyList<float[]> Vectors, int? PromptTokens, string? Model = null);

/// <summary>What one vendor call may carry.</summary>
/// <param name="MaxInputs">Texts per call.</param>
/// <param name="MaxTokens">Tokens of all texts of a call together; null when the vendor sets no such limit.</param>
public sealed record EmbeddingLimits(int MaxInputs, int? MaxTokens = null);
