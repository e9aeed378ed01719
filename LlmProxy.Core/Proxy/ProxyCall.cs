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

    /// <summary>
    /// The model as the caller wrote it (<c>openai/gpt-4o-mini</c>, or a bare <c>gpt-4o-mini</c>): the answer's
    /// <c>model</c>, whatever the vendor calls it (that name goes in a header).
    /// </summary>
    public string RequestedModel { get => field ?? Model; init; }

    /// <summary>
    /// Whether the caller gets the stream's usage chunk (<c>"choices": []</c>). OpenAI sends it only when asked with
    /// <c>stream_options.include_usage</c>, and some clients choke on an empty <c>choices</c>; the seed route always
    /// sends it. The vendor is asked for usage either way: accounting needs it.
    /// </summary>
    public bool IncludeUsageChunk { get; init; } = true;

    /// <summary>The front door's id for the request; the call's usage event and request-log entry take it as their id.</summary>
    public string? RequestId { get; init; }

    /// <summary>The id of the key the call came with, for the request log (a platform key acts for many tenants).</summary>
    public string? KeyId { get; init; }

    /// <summary>The publishable key's own budget the call counts against, beside its tenant's and user's; null for other calls.</summary>
    public Quotas.KeyBudget? KeyBudget { get; init; }

    /// <summary>Limits the caller's credential puts on the user (an end-user token's); the tighter of these and the user's own apply.</summary>
    public EffectiveLimits? UserCeiling { get; init; }
}
