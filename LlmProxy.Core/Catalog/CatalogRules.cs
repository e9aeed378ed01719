using LlmProxy.Core.Embeddings;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Proxy;

namespace LlmProxy.Core.Catalog;

/// <summary>
/// What the catalog decides before a vendor is called: chat only with chat models and embeddings only with embedding
/// models, images only for vision models, and the vendor's own model id. Models the catalog does not know go through.
/// </summary>
public sealed class CatalogRules(ModelCatalog catalog)
{
    /// <summary>The call as the vendor should get it; a 400 when it sends images to a model known to have no vision.</summary>
    public ProxyCall Apply(ProxyCall call)
    {
        if (catalog.Find(call.Provider, call.Model) is not { } model) return call;
        if (model.Type != ModelTypes.Chat)
            throw ProxyException.BadRequest($"{call.Provider}/{call.Model} is an {model.Type} model; POST it to /v1/embeddings.", "model");
        if (!model.Vision && RequestShaping.HasImages(call.Request))
            throw ProxyException.BadRequest($"{call.Provider}/{call.Model} does not accept images; send text only or pick a vision model.", "messages");
        return model.VendorModel is { } vendorModel ? call with { Request = call.Request with { Model = vendorModel } } : call;
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
