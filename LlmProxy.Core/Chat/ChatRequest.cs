using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmProxy.Core.Chat;

/// <summary>
/// The canonical request: the OpenAI Chat Completions schema. Fields the proxy does not need to
/// understand are kept in <see cref="AdditionalProperties"/> and passed through to vendors that accept them.
/// </summary>
public sealed record ChatRequest
{
    public string? Model { get; init; }
    public IReadOnlyList<ChatMessage>? Messages { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? MaxTokens { get; init; }
    public int? MaxCompletionTokens { get; init; }

    [JsonConverter(typeof(StopSequencesConverter))]
    public IReadOnlyList<string>? Stop { get; init; }

    public int? N { get; init; }
    public long? Seed { get; init; }
    public bool? Stream { get; init; }
    public StreamOptions? StreamOptions { get; init; }
    public string? User { get; init; }
    public IReadOnlyList<ChatTool>? Tools { get; init; }
    public ToolChoice? ToolChoice { get; init; }
    public bool? ParallelToolCalls { get; init; }
    public ResponseFormat? ResponseFormat { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>
    /// A body in the vendor's own format, sent as it is instead of a translation (Anthropic's Messages API called
    /// through <c>POST /v1/messages</c>); the rest of the request is its projection for quotas, cache and logs.
    /// </summary>
    [JsonIgnore]
    public NativeRequest? Native { get; init; }

    /// <summary>The output budget the caller asked for, whichever of the two OpenAI names it used.</summary>
    [JsonIgnore]
    public int? RequestedMaxTokens => MaxCompletionTokens ?? MaxTokens;
}

/// <param name="Body">The vendor-format body; the adapter sets its model and stream flag on a copy.</param>
/// <param name="Beta">The caller's <c>anthropic-beta</c> header, passed on.</param>
public sealed record NativeRequest(System.Text.Json.Nodes.JsonObject Body, string? Beta);

public sealed record StreamOptions
{
    public bool? IncludeUsage { get; init; }
}
