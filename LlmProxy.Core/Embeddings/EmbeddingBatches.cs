using System.Text;
using LlmProxy.Core.Providers;

namespace LlmProxy.Core.Embeddings;

/// <summary>
/// Splits a list of texts into runs that one vendor call may carry: at most <see cref="EmbeddingLimits.MaxInputs"/>
/// texts, and, where the vendor caps a request's tokens, texts whose token bound (UTF-8 bytes) stays under the cap.
/// A single text over the cap goes alone; the vendor then decides (its 400 reaches the caller).
/// </summary>
internal static class EmbeddingBatches
{
    public static IEnumerable<IReadOnlyList<string>> Split(IReadOnlyList<string> inputs, EmbeddingLimits limits)
    {
        var batch = new List<string>();
        long tokens = 0;
        foreach (var input in inputs)
        {
            var bound = Encoding.UTF8.GetByteCount(input);
            if (batch.Count > 0 && (batch.Count == limits.MaxInputs || tokens + bound > limits.MaxTokens))
            {
                yield return batch;
                batch = [];
                tokens = 0;
            }
            batch.Add(input);
            tokens += bound;
        }
        yield return batch;
    }
}
