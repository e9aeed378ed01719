using LlmProxy.Core.Chat;
using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Proxy;

/// <summary>One parsed call: the canonical request plus who is calling and which vendor it is for.</summary>
/// <param name="Request">The canonical request, its <c>model</c> already the vendor's model name.</param>
public sealed record ProxyCall(ChatRequest Request, string Provider, string Model, string TenantId, string UserId)
{
    public bool Stream => Request.Stream == true;

    /// <summary>The caller asked not to use the response cache (<c>"cache": false</c> or <c>Cache-Control: no-cache</c>).</summary>
    public bool NoCache { get; init; }

    /// <summary>The publishable key's own budget the call counts against, beside its tenant's and user's; null for other calls.</summary>
    public Quotas.KeyBudget? KeyBudget { get; init; }

    /// <summary>Limits the caller's credential puts on the user (an end-user token's); the tighter of these and the user's own apply.</summary>
    public EffectiveLimits? UserCeiling { get; init; }
}
