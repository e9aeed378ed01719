using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers.Anthropic;
using LlmProxy.Core.Providers.AzureOpenAI;
using LlmProxy.Core.Providers.Cohere;
using LlmProxy.Core.Providers.DeepSeek;
using LlmProxy.Core.Providers.Gemini;
using LlmProxy.Core.Providers.Mistral;
using LlmProxy.Core.Providers.OpenAI;

namespace LlmProxy.Core.Providers.Capabilities;

/// <summary>
/// The one table of what each vendor does with tool calling and structured output (docs/api.md mirrors it, and a test
/// holds the two equal). Every adapter asks <see cref="Refuse"/> before it builds a request, so a feature a vendor
/// cannot honour is refused loudly instead of being dropped on the way.
/// </summary>
internal static class VendorCapabilities
{
    /// <summary>Why a refused cell is refused: the 400's explanation.</summary>
    private static readonly Dictionary<(string Vendor, Feature Feature), string> Reasons = new()
    {
        [(DeepSeekProvider.ProviderName, Feature.SerialToolCalls)] = "DeepSeek has no switch for parallel tool calls",
        [(DeepSeekProvider.ProviderName, Feature.StrictTools)] = "DeepSeek enforces function schemas only on its beta endpoint",
        [(DeepSeekProvider.ProviderName, Feature.JsonSchema)] = "DeepSeek's JSON output takes no schema; use {\"type\":\"json_object\"} and describe the shape in the prompt",
        [(GeminiProvider.ProviderName, Feature.SerialToolCalls)] = "Gemini has no switch for parallel function calls",
        [(GeminiProvider.ProviderName, Feature.StrictTools)] = "Gemini does not promise arguments that match the declaration",
        [(CohereProvider.ProviderName, Feature.SerialToolCalls)] = "Cohere has no switch for parallel tool calls",
    };


    private static readonly Dictionary<string, Dictionary<Feature, Support>> Table = new(StringComparer.OrdinalIgnoreCase)
    {
        [OpenAIProvider.ProviderName] = Row(Support.Native, Support.Native, Support.Native, Support.Native, Support.Native, Support.Native, Support.Native, Support.Native),
        [AzureOpenAIProvider.ProviderName] = Row(Support.Native, Support.Native, Support.Native, Support.Native, Support.Native, Support.Native, Support.Native, Support.Native),
        [MistralProvider.ProviderName] = Row(Support.Native, Support.Native, Support.Native, Support.Native, Support.Native, Support.Native, Support.Native, Support.Native),
        [DeepSeekProvider.ProviderName] = Row(Support.Native, Support.Native, Support.Native, Support.Native, Support.Refused, Support.Refused, Support.Native, Support.Refused),
        [AnthropicProvider.ProviderName] = Row(Support.Translated, Support.Translated, Support.Translated, Support.Translated, Support.Translated, Support.Translated, Support.Translated, Support.Translated),
        [GeminiProvider.ProviderName] = Row(Support.Translated, Support.Translated, Support.Translated, Support.Translated, Support.Refused, Support.Refused, Support.Translated, Support.Translated),
        [CohereProvider.ProviderName] = Row(Support.Translated, Support.Translated, Support.Translated, Support.Translated, Support.Refused, Support.Translated, Support.Translated, Support.Translated),
    };

    private static readonly Dictionary<string, string> Labels = new(StringComparer.OrdinalIgnoreCase)
    {
        [OpenAIProvider.ProviderName] = "OpenAI", [AzureOpenAIProvider.ProviderName] = "Azure OpenAI", [MistralProvider.ProviderName] = "Mistral", [DeepSeekProvider.ProviderName] = "DeepSeek",
        [AnthropicProvider.ProviderName] = "Anthropic", [GeminiProvider.ProviderName] = "Gemini", [CohereProvider.ProviderName] = "Cohere",
    };

    /// <summary>The vendor's name as people write it.</summary>
    public static string Label(string vendor) => Labels.GetValueOrDefault(vendor, vendor);

    /// <summary>The vendors in the matrix's column order.</summary>
    public static IReadOnlyList<string> Vendors { get; } =
        [OpenAIProvider.ProviderName, AzureOpenAIProvider.ProviderName, MistralProvider.ProviderName, DeepSeekProvider.ProviderName, AnthropicProvider.ProviderName, GeminiProvider.ProviderName, CohereProvider.ProviderName];

    private static Dictionary<Feature, Support> Row(params Support[] cells) =>
        Feature.All.Select((feature, i) => (feature, cells[i])).ToDictionary(c => c.feature, c => c.Item2);

    /// <summary>How <paramref name="vendor"/> takes <paramref name="feature"/>; vendors outside the table (the mock) take everything.</summary>
    public static Support Of(string vendor, Feature feature) =>
        Table.TryGetValue(vendor, out var row) ? row[feature] : Support.Native;

    public static string? ReasonRefused(string vendor, Feature feature) => Reasons.GetValueOrDefault((vendor, feature));

    /// <summary>The features a request uses.</summary>
    public static IEnumerable<Feature> Used(ChatRequest request)
    {
        if (request.Tools is { Count: > 0 } tools)
        {
            yield return Feature.Tools;
            if (tools.Any(t => t.Function?.Strict == true)) yield return Feature.StrictTools;
        }
        if (request.ToolChoice is { } choice)
            yield return choice.FunctionName is not null ? Feature.ToolChoiceFunction
                : choice.Mode == ToolChoice.Required ? Feature.ToolChoiceRequired
                : choice.Mode == ToolChoice.None ? Feature.ToolChoiceNone
                : Feature.Tools;
        if (request.ParallelToolCalls == false) yield return Feature.SerialToolCalls;
        if (request.ResponseFormat?.Type == ResponseFormat.JsonObject) yield return Feature.JsonObject;
        if (request.ResponseFormat?.Type == ResponseFormat.JsonSchemaType) yield return Feature.JsonSchema;
    }

    /// <summary>Refuses, with a 400 <c>unsupported_parameter</c> naming the field and the vendor, the first feature the vendor cannot honour.</summary>
    public static void Refuse(string vendor, ChatRequest request)
    {
        foreach (var feature in Used(request))
        {
            if (Of(vendor, feature) != Support.Refused) continue;
            throw new ProxyException(400, ErrorTypes.UnsupportedParameter,
                $"'{feature.Field}' ({feature.Label.Replace("`", "", StringComparison.Ordinal)}) is not supported by {Label(vendor)}: {ReasonRefused(vendor, feature)}.", feature.Field);
        }
    }
}
