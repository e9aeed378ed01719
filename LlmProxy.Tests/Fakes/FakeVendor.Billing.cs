using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;

namespace LlmProxy.Tests.Fakes;

/// <summary>What a fake vendor billed one call: the prompt it received and the output it wrote (all of it, or up to where the stream stopped).</summary>
public sealed record FakeBill(int PromptTokens, int OutputTokens)
{
    public long Total => (long)PromptTokens + OutputTokens;
}

/// <summary>The text and usage of the call being answered, when the fake bills like a vendor.</summary>
internal sealed record FakeAnswer(IReadOnlyList<string> Pieces, IReadOnlyList<int> PieceTokens, int PromptTokens, int CompletionTokens);

public abstract partial class FakeVendor
{
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    // The figures of the call being answered (set per request, so concurrent calls do not share them); null while
    // the fake reports its fixed figures.
    private static readonly AsyncLocal<FakeAnswer?> Current = new();

    /// <summary>
    /// When set, each call is billed as a real vendor bills it rather than with the fixed figures: the prompt is
    /// everything received (the o200k count of the request body, image data left out and each image billed
    /// <see cref="TokensPerImage"/>, plus <see cref="HiddenPromptTokens"/>), the output is the budget sent (or
    /// <see cref="LongDefaultOutput"/> when none was sent), written as one-token words. Usage is reported as the
    /// vendor reports it, partial figures in streams included, and each call's bill is kept in <see cref="Bills"/>.
    /// </summary>
    public bool BillsLikeVendor { get; set; }

    /// <summary>What a model writes when it is sent no output budget: far more than the proxy's default.</summary>
    public int LongDefaultOutput { get; set; } = 8_192;

    /// <summary>What each image is billed (a small image by any vendor's rule; the tests' images are 1x1).</summary>
    public int TokensPerImage { get; set; } = 258;

    /// <summary>What this fake billed, one entry per call it processed (refused calls are not billed).</summary>
    public ConcurrentQueue<FakeBill> Bills { get; } = new();

    public long Billed => Bills.Sum(b => b.Total);

    /// <summary>Released once for each call billed.</summary>
    public SemaphoreSlim BillSent { get; } = new(0);

    /// <summary>The output budget the request carries, under this vendor's name.</summary>
    protected virtual int? SentBudget(JsonObject body) => body["max_tokens"]?.GetValue<int>();

    /// <summary>Prompt tokens the vendor adds unseen for this request (Anthropic's tool-use system prompt).</summary>
    protected virtual int HiddenPromptTokens(JsonObject body) => 0;

    /// <summary>Tokens of one streamed piece: its o200k count when billing like a vendor, else one.</summary>
    protected int TokensOf(string piece) => Current.Value is null ? 1 : O200k.Value.CountTokens(piece);

    /// <summary>Works out the call's answer and usage from what was received; the fixed figures stay for everyone else.</summary>
    private void BeginBill(string receivedBody, JsonObject body)
    {
        if (!BillsLikeVendor) return;
        var counted = JsonNode.Parse(receivedBody)!;
        var images = LeaveOutImages(counted);
        var prompt = O200k.Value.CountTokens(counted.ToJsonString()) + images * TokensPerImage + HiddenPromptTokens(body);
        var words = SentBudget(body) ?? LongDefaultOutput;
        var pieceCount = Math.Min(words, 8);
        var pieces = Enumerable.Range(0, pieceCount)
            .Select(i => string.Concat(Enumerable.Repeat(" hi", words / pieceCount + (i < words % pieceCount ? 1 : 0))))
            .ToList();
        var pieceTokens = pieces.Select(p => O200k.Value.CountTokens(p)).ToList();
        Current.Value = new FakeAnswer(pieces, pieceTokens, prompt, pieceTokens.Sum());
    }

    /// <summary>Bills the call: its prompt and the output written (the first <paramref name="piecesSent"/> pieces of a stream).</summary>
    private void Bill(int? piecesSent = null)
    {
        if (Current.Value is not { } answer) return;
        var output = piecesSent is { } sent ? answer.PieceTokens.Take(sent).Sum() : answer.CompletionTokens;
        Bills.Enqueue(new FakeBill(answer.PromptTokens, output));
        BillSent.Release();
    }

    /// <summary>Blanks every image's data or URL (vendors bill images by pixels, not by bytes) and counts the images.</summary>
    private static int LeaveOutImages(JsonNode? node)
    {
        var images = 0;
        switch (node)
        {
            case JsonObject o:
                foreach (var key in (string[])["image_url", "inlineData", "inline_data", "fileData", "file_data"])
                {
                    if (o[key] is null) continue;
                    o[key] = "";
                    images++;
                }
                if (o["type"]?.GetValue<string>() == "image" && o["source"] is not null)
                {
                    o["source"] = "";
                    images++;
                }
                foreach (var (_, child) in o.ToList()) images += LeaveOutImages(child);
                break;
            case JsonArray a:
                foreach (var child in a) images += LeaveOutImages(child);
                break;
        }
        return images;
    }
}
