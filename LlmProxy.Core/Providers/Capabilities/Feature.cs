namespace LlmProxy.Core.Providers.Capabilities;

/// <summary>A tool-calling or structured-output feature of the canonical request, as the capability table lists it.</summary>
/// <param name="Field">The request field a refusal names (<c>param</c> of the 400).</param>
/// <param name="Label">How docs/api.md's matrix names the feature.</param>
internal sealed record Feature(string Field, string Label)
{
    public static readonly Feature Tools = new("tools", "`tools` (function tools, calls and results)");
    public static readonly Feature ToolChoiceNone = new("tool_choice", "`tool_choice: \"none\"`");
    public static readonly Feature ToolChoiceRequired = new("tool_choice", "`tool_choice: \"required\"`");
    public static readonly Feature ToolChoiceFunction = new("tool_choice", "`tool_choice: {function}`");
    public static readonly Feature SerialToolCalls = new("parallel_tool_calls", "`parallel_tool_calls: false`");
    public static readonly Feature StrictTools = new("tools[].function.strict", "`strict: true` on a function");
    public static readonly Feature JsonObject = new("response_format", "`response_format: json_object`");
    public static readonly Feature JsonSchema = new("response_format", "`response_format: json_schema`");

    /// <summary>Every feature, in the matrix's row order.</summary>
    public static readonly IReadOnlyList<Feature> All =
        [Tools, ToolChoiceNone, ToolChoiceRequired, ToolChoiceFunction, SerialToolCalls, StrictTools, JsonObject, JsonSchema];
}

/// <summary>How a vendor takes a feature.</summary>
internal enum Support
{
    /// <summary>Sent in OpenAI's own form (the vendor speaks it).</summary>
    Native,
    /// <summary>Rewritten into the vendor's own mechanism, and its answer back into OpenAI's form.</summary>
    Translated,
    /// <summary>The vendor has no way to honour it: a 400 <c>unsupported_parameter</c> before any vendor call.</summary>
    Refused,
}
