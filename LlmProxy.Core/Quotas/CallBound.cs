namespace LlmProxy.Core.Quotas;

/// <summary>
/// The most a vendor can bill for one attempt of a call, in the two parts vendors price differently: the prompt (at
/// the input price) and the output (at the output price). The reservation holds <see cref="Total"/>.
/// </summary>
public readonly record struct CallBound(long PromptTokens, long OutputTokens)
{
    public long Total => PromptTokens + OutputTokens;

    public static CallBound operator +(CallBound a, CallBound b) => new(a.PromptTokens + b.PromptTokens, a.OutputTokens + b.OutputTokens);
}
