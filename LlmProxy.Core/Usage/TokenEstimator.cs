using LlmProxy.Core.Chat;
using Microsoft.ML.Tokenizers;

namespace LlmProxy.Core.Usage;

/// <summary>
/// Counts tokens with OpenAI's o200k_base encoding: exact for current OpenAI models, an estimate for other
/// vendors. Used when a vendor reports no usage (a stream the caller abandoned). The vocabulary costs about 40 MiB
/// of heap once loaded, so it loads only when first needed; admission uses <see cref="Quotas.CallBounds"/> instead.
/// </summary>
public sealed class TokenEstimator
{
    // OpenAI's documented framing overhead: a few tokens per message plus a few to prime the answer.
    private const int TokensPerMessage = 3;
    private const int TokensPerReply = 3;

    private readonly Lazy<Tokenizer> _tokenizer = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public int CountText(string? text) =>
        string.IsNullOrEmpty(text) ? 0 : _tokenizer.Value.CountTokens(text);

    public int CountPrompt(IReadOnlyList<ChatMessage> messages) => Prompt(messages, CountText);

    private static int Prompt(IReadOnlyList<ChatMessage> messages, Func<string?, int> count)
    {
        var total = TokensPerReply;
        foreach (var message in messages)
            total += TokensPerMessage + count(message.Content?.JoinedText()) + count(message.Name);
        return total;
    }
}
