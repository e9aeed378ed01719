namespace LlmProxy.Core.Proxy.Fallbacks;

/// <summary>
/// Fallback routes (section <c>LlmProxy:Fallbacks</c>, a list): when the vendor of <see cref="FallbackRule.From"/>
/// fails before answering, the call is tried on each model of <see cref="FallbackRule.To"/> in turn.
/// </summary>
public sealed class FallbackOptions
{
    public const string Section = "LlmProxy:Fallbacks";

    public List<FallbackRule> Rules { get; } = [];
}

public sealed class FallbackRule
{
    /// <summary><c>provider/model</c> the rule applies to, e.g. <c>openai/gpt-4o</c>.</summary>
    public string From { get; set; } = "";

    /// <summary><c>provider/model</c> targets in order, e.g. <c>anthropic/claude-sonnet-4</c>.</summary>
    public List<string> To { get; set; } = [];
}
