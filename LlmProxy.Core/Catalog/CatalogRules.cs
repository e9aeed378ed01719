using LlmProxy.Core.Embeddings;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Catalog;

/// <summary>
/// What the catalog decides before a vendor is called: chat only with chat models and embeddings only with embedding
/// models, images only for vision models, the vendor's own model id, and the output budget every chat call is sent.
/// Models the catalog does not know go through.
/// </summary>
public sealed class CatalogRules(ModelCatalog catalog, IOptions<QuotaOptions> quota)
{
    /// <summary>
    /// The call as the vendor should get it; a 400 when it sends images to a model known to have no vision. The output
    /// budget is always set, as <c>max_completion_tokens</c> (each adapter sends it under its vendor's name): the
    /// caller's <c>max_completion_tokens</c> or <c>max_tokens</c>, else <c>Quota:DefaultMaxTokens</c>, lowered to the
    /// model's most where the catalog knows it. A vendor given no budget may write up to its model's maximum, which
    /// the reservation could not bound.
    /// </summary>
    public ProxyCall Apply(ProxyCall call)
    {
        var model = catalog.Find(call.Provider, call.Model);
        if (model is not null && model.Type != ModelTypes.Chat)
            throw ProxyException.BadRequest($"{call.Provider}/{call.Model} is an {model.Type} model; POST it to /v1/embeddings.", "model");
        if (model is { Vision: false } && RequestShaping.HasImages(call.Request))
            throw ProxyException.BadRequest($"{call.Provider}/{call.Model} does not accept images; send text only or pick a vision model.", "messages");
        var request = call.Request;
        var budget = Math.Min(request.RequestedMaxTokens ?? quota.Value.DefaultMaxTokens, model?.MaxOutputTokens ?? int.MaxValue);
        return call with
        {
            Request = request with
            {
                Model = model?.VendorModel ?? request.Model,
                MaxCompletionTokens = budget,
                MaxTokens = null,
            },
        };
    }

    /// <summary>The embeddings call as the vendor should get it; a 400 when it names a model known to be a chat model.</summary>
    public EmbeddingCall Apply(EmbeddingCall call)
    {
        if (catalog.Find(call.Provider, call.Model) is not { } model) return call;
        if (model.Type != ModelTypes.Embedding)
            throw ProxyException.BadRequest($"{call.Provider}/{call.Model} is a {model.Type} model, not an embedding model.", "model");
        return model.VendorModel is { } vendorModel ? call with { VendorModel = vendorModel } : call;
    }
}
