namespace LlmProxy.Core.Catalog;

/// <summary>
/// The models shipped with the proxy: the seed's names and each vendor's current ones, with the vendors' list prices
/// in USD per million tokens as of <see cref="PricesAsOf"/>; operators correct them in settings
/// (<c>LlmProxy:Models</c>). Reasoning tokens are billed as output by every vendor here, so no reasoning price is set.
/// Output limits and per-image maxima are the vendors' published ones: OpenAI's high-detail rule at its largest
/// (8 tiles: 85 + 8 x 170 for gpt-4o-class models, 2,833 + 8 x 5,667 for gpt-4o-mini; 1,536 patches x 1.62 for
/// gpt-4.1-mini), Anthropic's ~1,600 tokens above which it scales an image down.
/// </summary>
internal static class BuiltInModels
{
    public static readonly DateOnly PricesAsOf = new(2026, 11, 28);

    public static readonly IReadOnlyList<ModelInfo> All =
    [
        new("mock", "echo", 1_000_000, true, Price(0m, 0m)),
        new("mock", "lorem", 1_000_000, true, Price(0m, 0m)),

        // OpenAI bills cached prompt tokens at a discount and cache writes at the input price.
        new("openai", "gpt-3.5-turbo", 16_385, false, Price(0.50m, 1.50m)) { MaxOutputTokens = 4_096 },
        new("openai", "gpt-4-turbo", 128_000, true, Price(10m, 30m)) { MaxOutputTokens = 4_096, ImageTokens = 1_445 },
        new("openai", "gpt-4o", 128_000, true, Price(2.50m, 10m, cachedInput: 1.25m)) { MaxOutputTokens = 16_384, ImageTokens = 1_445 },
        new("openai", "gpt-4o-mini", 128_000, true, Price(0.15m, 0.60m, cachedInput: 0.075m)) { MaxOutputTokens = 16_384, ImageTokens = 48_169 },
        new("openai", "gpt-4.1", 1_047_576, true, Price(2m, 8m, cachedInput: 0.50m)) { MaxOutputTokens = 32_768, ImageTokens = 1_445 },
        new("openai", "gpt-4.1-mini", 1_047_576, true, Price(0.40m, 1.60m, cachedInput: 0.10m)) { MaxOutputTokens = 32_768, ImageTokens = 2_489 },

        // Anthropic: cache reads 0.1 x input, cache writes (5-minute cache) 1.25 x input.
        // The seed's Claude 3 names are not API ids; they go out as the dated ids they stood for.
        new("anthropic", "claude-3-opus", 200_000, true, Price(15m, 75m, cachedInput: 1.50m, cacheWrite: 18.75m), "claude-3-opus-20240229") { MaxOutputTokens = 4_096, ImageTokens = 1_600 },
        new("anthropic", "claude-3-sonnet", 200_000, true, Price(3m, 15m, cachedInput: 0.30m, cacheWrite: 3.75m), "claude-3-sonnet-20240229") { MaxOutputTokens = 4_096, ImageTokens = 1_600 },
        new("anthropic", "claude-3-haiku-20240307", 200_000, true, Price(0.25m, 1.25m, cachedInput: 0.03m, cacheWrite: 0.30m)) { MaxOutputTokens = 4_096, ImageTokens = 1_600 },
        new("anthropic", "claude-3-5-haiku-latest", 200_000, true, Price(0.80m, 4m, cachedInput: 0.08m, cacheWrite: 1m)) { MaxOutputTokens = 8_192, ImageTokens = 1_600 },
        new("anthropic", "claude-sonnet-4-5", 200_000, true, Price(3m, 15m, cachedInput: 0.30m, cacheWrite: 3.75m)) { MaxOutputTokens = 64_000, ImageTokens = 1_600 },
        new("anthropic", "claude-opus-4-1", 200_000, true, Price(15m, 75m, cachedInput: 1.50m, cacheWrite: 18.75m)) { MaxOutputTokens = 32_000, ImageTokens = 1_600 },
        new("anthropic", "claude-haiku-4-5", 200_000, true, Price(1m, 5m, cachedInput: 0.10m, cacheWrite: 1.25m)) { MaxOutputTokens = 64_000, ImageTokens = 1_600 },

        new("mistral", "mistral-large", 131_072, false, Price(2m, 6m), "mistral-large-latest"),
        new("mistral", "mistral-medium", 131_072, true, Price(0.40m, 2m), "mistral-medium-latest"),
        new("mistral", "mistral-small", 131_072, true, Price(0.10m, 0.30m), "mistral-small-latest"),
        new("mistral", "mistral-large-latest", 131_072, false, Price(2m, 6m)),
        new("mistral", "mistral-medium-latest", 131_072, true, Price(0.40m, 2m)),
        new("mistral", "mistral-small-latest", 131_072, true, Price(0.10m, 0.30m)),
        new("mistral", "pixtral-large-latest", 131_072, true, Price(2m, 6m)),

        // DeepSeek: a cache hit costs a tenth of a miss.
        new("deepseek", "deepseek-chat", 128_000, false, Price(0.28m, 0.42m, cachedInput: 0.028m)) { MaxOutputTokens = 8_192 },
        new("deepseek", "deepseek-reasoner", 128_000, false, Price(0.28m, 0.42m, cachedInput: 0.028m)) { MaxOutputTokens = 64_000 },
        new("deepseek", "deepseek-coder", 128_000, false, Price(0.28m, 0.42m, cachedInput: 0.028m), "deepseek-chat") { MaxOutputTokens = 8_192 },

        new("cohere", "command", 4_096, false, Price(1m, 2m)) { MaxOutputTokens = 4_000 },
        new("cohere", "command-light", 4_096, false, Price(0.30m, 0.60m)) { MaxOutputTokens = 4_000 },
        new("cohere", "command-r-08-2024", 128_000, false, Price(0.15m, 0.60m)) { MaxOutputTokens = 4_000 },
        new("cohere", "command-r-plus-08-2024", 128_000, false, Price(2.50m, 10m)) { MaxOutputTokens = 4_000 },
        new("cohere", "command-a-03-2025", 256_000, false, Price(2.50m, 10m)) { MaxOutputTokens = 8_000 },
        new("cohere", "command-a-vision-07-2025", 128_000, true, Price(2.50m, 10m)) { MaxOutputTokens = 8_000 },

        // Gemini: cached content at a quarter (2.0) or a tenth (2.5) of input; prompts under 200k tokens for 2.5 Pro.
        new("gemini", "gemini-pro", 32_760, false, Price(0.50m, 1.50m)) { MaxOutputTokens = 2_048 },
        new("gemini", "gemini-pro-vision", 16_384, true, Price(0.50m, 1.50m)) { MaxOutputTokens = 2_048 },
        new("gemini", "gemini-2.0-flash", 1_048_576, true, Price(0.10m, 0.40m, cachedInput: 0.025m)) { MaxOutputTokens = 8_192 },
        new("gemini", "gemini-2.5-flash", 1_048_576, true, Price(0.30m, 2.50m, cachedInput: 0.03m)) { MaxOutputTokens = 65_536 },
        new("gemini", "gemini-2.5-pro", 1_048_576, true, Price(1.25m, 10m, cachedInput: 0.125m)) { MaxOutputTokens = 65_536 },

        // Embedding models: input is all they bill; the context window is the most tokens of one text.
        new("mock", "embed", 1_000_000, false, Price(0m, 0m)) { Type = ModelTypes.Embedding },
        new("openai", "text-embedding-3-small", 8_191, false, Price(0.02m, 0m)) { Type = ModelTypes.Embedding },
        new("openai", "text-embedding-3-large", 8_191, false, Price(0.13m, 0m)) { Type = ModelTypes.Embedding },
        new("openai", "text-embedding-ada-002", 8_191, false, Price(0.10m, 0m)) { Type = ModelTypes.Embedding },
        new("mistral", "mistral-embed", 8_192, false, Price(0.10m, 0m)) { Type = ModelTypes.Embedding },
        new("cohere", "embed-v4.0", 128_000, false, Price(0.12m, 0m)) { Type = ModelTypes.Embedding },
        new("cohere", "embed-english-v3.0", 512, false, Price(0.10m, 0m)) { Type = ModelTypes.Embedding },
        new("cohere", "embed-multilingual-v3.0", 512, false, Price(0.10m, 0m)) { Type = ModelTypes.Embedding },
        new("gemini", "gemini-embedding-001", 2_048, false, Price(0.15m, 0m)) { Type = ModelTypes.Embedding },
    ];

    private static ModelPrices Price(decimal input, decimal output, decimal? cachedInput = null, decimal? cacheWrite = null) =>
        new(input, output, PricesAsOf) { CachedInput = cachedInput, CacheWrite = cacheWrite };
}
