using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Embeddings;
using LlmProxy.Core.Usage;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers.Mock;

/// <summary>
/// The built-in vendor: deterministic, offline, streams word by word. Model <c>echo</c> repeats the last user
/// message; any other model answers a fixed sentence that names the model and quotes the message. It stands in
/// for vendors without an API key when <see cref="ProxyOptions.MockUnconfiguredProviders"/> is on. Offered tools, it
/// calls one (<see cref="MockToolCall"/>). Embeddings are unit vectors drawn from a hash of model and text: the same
/// text always gets the same vector.
/// </summary>
public sealed class MockProvider(TokenEstimator tokens, IOptions<ProvidersOptions> options, TimeProvider clock) : IChatProvider, IEmbeddingProvider
{
    private const int DefaultDimensions = 16;

    public const string ProviderName = "mock";

    public string Name => ProviderName;
    public bool IsConfigured => true;

    public Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        var (answer, finish, call) = Answer(request);
        var completion = new CanonicalAnswer(ResponseId(request), request.Model ?? "", clock.GetUtcNow().ToUnixTimeSeconds())
            .Completion(answer, finish, Usage(request, answer, call), call is null ? null : [call]);
        return Task.FromResult(completion);
    }

    public async IAsyncEnumerable<ChatCompletionChunk> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (answer, finish, call) = Answer(request);
        var chunks = new CanonicalAnswer(ResponseId(request), request.Model ?? "", clock.GetUtcNow().ToUnixTimeSeconds());
        var delay = TimeSpan.FromMilliseconds(options.Value.For(ProviderName).ChunkDelayMs);

        yield return chunks.Start();
        foreach (var piece in SplitWords(answer))
        {
            if (delay > TimeSpan.Zero) await Task.Delay(delay, clock, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            yield return chunks.Text(piece);
        }
        if (call is not null)
        {
            yield return chunks.ToolCallStart(0, call.Id!, call.Function!.Name!);
            // In two pieces, as vendors stream arguments: a reader must join them.
            var arguments = call.Function.Arguments!;
            var half = arguments.Length / 2;
            yield return chunks.ToolCallArguments(0, arguments[..half]);
            yield return chunks.ToolCallArguments(0, arguments[half..]);
        }
        yield return chunks.Finish(finish);
        yield return chunks.Usage(Usage(request, answer, call));
    }

    public EmbeddingLimits Limits { get; } = new(2048);

    public Task<EmbeddingBatch> EmbedAsync(EmbeddingCall call, IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        var vectors = inputs.Select(text => Vector(call.VendorModel, text, call.Dimensions ?? DefaultDimensions)).ToList();
        return Task.FromResult(new EmbeddingBatch(vectors, inputs.Sum(tokens.CountText), call.VendorModel));
    }

    private static float[] Vector(string model, string text, int dimensions)
    {
        var values = new float[dimensions];
        var seed = Encoding.UTF8.GetBytes(model + "\n" + text);
        Span<byte> block = stackalloc byte[32];
        for (var start = 0; start < dimensions; start += 8)
        {
            SHA256.HashData([.. seed, .. BitConverter.GetBytes(start)], block);
            for (var i = 0; i < 8 && start + i < dimensions; i++)
                values[start + i] = BitConverter.ToInt32(block[(i * 4)..]) / (float)int.MaxValue;
        }
        var length = MathF.Sqrt(values.Sum(v => v * v));
        for (var i = 0; i < values.Length; i++) values[i] /= length;
        return values;
    }

    private ChatUsage Usage(ChatRequest request, string answer, ChatToolCall? call) =>
        ChatUsage.Of(tokens.CountPrompt(request.Messages ?? []), tokens.CountText(answer) + tokens.CountText(call?.Function?.Arguments));

    private static (string Answer, string FinishReason, ChatToolCall? Call) Answer(ChatRequest request)
    {
        var lastUser = request.Messages?.LastOrDefault(m => m.Role == ChatRoles.User)?.Content?.JoinedText() ?? "";
        if (MockToolCall.For(request, lastUser) is { } call) return ("", FinishReasons.ToolCalls, call);
        var answer = request.Model == "echo" ? lastUser : $"Mock answer from {request.Model}: {lastUser}";
        var limit = request.RequestedMaxTokens;
        if (limit is > 0)
        {
            var words = SplitWords(answer).ToList();
            if (words.Count > limit) return (string.Concat(words.Take(limit.Value)), FinishReasons.Length, null);
        }
        return (answer, FinishReasons.Stop, null);
    }

    /// <summary>Words with their following whitespace, so the pieces concatenate back to the text.</summary>
    private static IEnumerable<string> SplitWords(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsWhiteSpace(text[i]) || (i + 1 < text.Length && char.IsWhiteSpace(text[i + 1]))) continue;
            yield return text[start..(i + 1)];
            start = i + 1;
        }
        if (start < text.Length) yield return text[start..];
    }

    private static string ResponseId(ChatRequest request)
    {
        var text = string.Join("\n", (request.Messages ?? []).Select(m => m.Role + ":" + m.Content?.JoinedText()));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(request.Model + "\n" + text));
        return "chatcmpl-mock-" + Convert.ToHexStringLower(hash.AsSpan(0, 12));
    }
}
