using LlmProxy.Core.Chat;
using Microsoft.ML.Tokenizers;

namespace LlmProxy.Core.Usage;

/// <summary>
/// Counts tokens with OpenAI's o200k_base encoding: exact for current OpenAI models, an estimate for other
/// vendors. Used when a vendor reports no usage (a stream the caller abandoned) and for quota reservations.
/// </summary>
public sealed class TokenEstimator
{
    // OpenAI's documented framing overhead: a few tokens per message plus a few to prime the answer.
    private const int TokensPerMessage = 3;
    private const int TokensPerReply = 3;

    private readonly Lazy<Tokenizer> _tokenizer = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public int CountText(string? text) =>
        string.IsNullOrEmpty(text) ? 0 : _tokenizer.Value.CountTokens(text);

    public int CountPrompt(IReadOnlyList<ChatMessage> messages)
    {
        var total = TokensPerReply;
        foreach (var message in messages)
            total += TokensPerMessage + CountText(message.Content?.JoinedText()) + CountText(message.Name);
        return total;
    }
}
