using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Catalog;

/// <summary>
/// What a vendor charges for a model, in USD per million tokens of each kind it bills, as of <paramref name="AsOf"/>.
/// Cache reads, cache writes and reasoning tokens left null are billed at the input or output price.
/// </summary>
/// <param name="Input">Prompt tokens not read from or written to the vendor's prompt cache.</param>
/// <param name="Output">Completion tokens other than reasoning.</param>
/// <param name="AsOf">The day these prices were the vendor's list prices.</param>
public sealed record ModelPrices(decimal Input, decimal Output, DateOnly AsOf)
{
    /// <summary>Prompt tokens read from the vendor's prompt cache; null: the input price.</summary>
    public decimal? CachedInput { get; init; }

    /// <summary>Prompt tokens written to the vendor's prompt cache (Anthropic: 1.25 x input); null: the input price.</summary>
    public decimal? CacheWrite { get; init; }

    /// <summary>Reasoning (thinking) tokens; null: the output price.</summary>
    public decimal? Reasoning { get; init; }

    private const decimal PerMillion = 1_000_000m;

    /// <summary>
    /// The exact price of a call's usage. Cached, cache-write and reasoning tokens are parts of the prompt and
    /// completion counts (OpenAI's convention, which every adapter follows), each clamped to what it is a part of.
    /// </summary>
    public decimal CostOf(ChatUsage usage)
    {
        var prompt = Math.Max(0, usage.PromptTokens);
        var completion = Math.Max(0, usage.CompletionTokens);
        var cached = Math.Clamp(usage.CachedPromptTokens, 0, prompt);
        var written = Math.Clamp(usage.CacheWriteTokens, 0, prompt - cached);
        var reasoning = Math.Clamp(usage.ReasoningTokens, 0, completion);
        return ((prompt - cached - written) * Input + cached * (CachedInput ?? Input) + written * (CacheWrite ?? Input)
            + (completion - reasoning) * Output + reasoning * (Reasoning ?? Output)) / PerMillion;
    }

    /// <summary>
    /// The most a call can cost with at most <paramref name="promptTokens"/> in and <paramref name="outputTokens"/>
    /// out, whatever share of them the vendor reports as cached, written to its cache or reasoning.
    /// </summary>
    public decimal UpperBound(long promptTokens, long outputTokens) =>
        (promptTokens * Math.Max(Input, Math.Max(CachedInput ?? Input, CacheWrite ?? Input))
         + outputTokens * Math.Max(Output, Reasoning ?? Output)) / PerMillion;
}
