using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmProxy.Core.Chat;

/// <summary>One entry of <c>tools</c>: <c>{type: "function", function: {name, description?, parameters?, strict?}}</c>.</summary>
public sealed record ChatTool
{
    public string? Type { get; init; }
    public ChatFunction? Function { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

public sealed record ChatFunction
{
    public string? Name { get; init; }
    public string? Description { get; init; }

    /// <summary>The arguments' JSON Schema, kept as sent: vendors that take JSON Schema get it byte for byte.</summary>
    public JsonElement? Parameters { get; init; }

    public bool? Strict { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>A call in an assistant message: <c>{id, type: "function", function: {name, arguments}}</c>.</summary>
public sealed record ChatToolCall
{
    public string? Id { get; init; }
    public string? Type { get; init; }
    public ChatFunctionCall? Function { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>A function's name and its arguments as a JSON text (OpenAI sends a string, never an object).</summary>
public sealed record ChatFunctionCall
{
    public string? Name { get; init; }

    [JsonConverter(typeof(ArgumentsConverter))]
    public string? Arguments { get; init; }
}

/// <summary>
/// A fragment of a streamed call, as OpenAI streams them: the first of a call carries <c>index</c>, <c>id</c>,
/// <c>type</c> and the name with empty arguments; later ones only <c>index</c> and a piece of the arguments.
/// </summary>
public sealed record ChatToolCallDelta
{
    /// <summary>Which call of the answer this piece belongs to; every fragment has it (a reader fills it when a vendor leaves it out).</summary>
    public int? Index { get; init; }
    public string? Id { get; init; }
    public string? Type { get; init; }
    public ChatFunctionCall? Function { get; init; }
}

/// <summary>
/// <c>tool_choice</c>: a mode (<c>none</c>, <c>auto</c>, <c>required</c>) or one named function
/// (<c>{type: "function", function: {name}}</c>).
/// </summary>
[JsonConverter(typeof(ToolChoiceConverter))]
public sealed record ToolChoice
{
    public const string None = "none";
    public const string Auto = "auto";
    public const string Required = "required";

    /// <summary>The mode; null when a function is named.</summary>
    public string? Mode { get; init; }

    /// <summary>The function the model must call; null for a mode.</summary>
    public string? FunctionName { get; init; }
}

/// <summary><c>response_format</c>: <c>{type: "text" | "json_object"}</c> or <c>{type: "json_schema", json_schema: {...}}</c>.</summary>
public sealed record ResponseFormat
{
    public const string Text = "text";
    public const string JsonObject = "json_object";
    public const string JsonSchemaType = "json_schema";

    public string? Type { get; init; }
    public JsonSchemaFormat? JsonSchema { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

public sealed record JsonSchemaFormat
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public JsonElement? Schema { get; init; }
    public bool? Strict { get; init; }
}

public static class ToolTypes
{
    public const string Function = "function";
}
