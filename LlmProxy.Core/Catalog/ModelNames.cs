using LlmProxy.Core.Configuration;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Catalog;

/// <summary>
/// Which vendor and model an OpenAI-style <c>model</c> names: <c>provider/model</c>, or a bare name (what SDK
/// defaults and tools send first) looked up in the catalog; <c>LlmProxy:DefaultProvider</c> settles a name several
/// vendors list or none lists. A name it cannot place is a 400 on <c>model</c> that says which forms work.
/// </summary>
public sealed class ModelNames(ModelCatalog catalog, ProviderRegistry providers, IOptions<ProxyOptions> options)
{
    public (string Provider, string Model) Resolve(string model)
    {
        var slash = model.IndexOf('/');
        if (slash == model.Length - 1)
            throw ProxyException.BadRequest($"'model' names no model after the provider: \"{model}\"; e.g. \"openai/gpt-4o-mini\".", "model");
        if (slash > 0 && providers.Knows(model[..slash]))
            return (model[..slash].ToLowerInvariant(), model[(slash + 1)..]);

        var listed = catalog.Named(model).Where(m => providers.Knows(m.Provider)).ToList();
        if (listed.Count == 1) return (listed[0].Provider, model);

        var fallback = options.Value.DefaultProvider is { Length: > 0 } configured ? configured.ToLowerInvariant() : null;
        if (fallback is not null && (listed.Count == 0 || listed.Any(m => m.Provider == fallback))) return (fallback, model);

        throw ProxyException.BadRequest(listed.Count > 1
            ? $"'{model}' is a model of several vendors: name one, as {string.Join(" or ", listed.Select(m => $"\"{m.Provider}/{m.Model}\""))} (or set LlmProxy:DefaultProvider)."
            : slash > 0
                ? $"'{model}' names no known provider: use \"provider/model\" with one of {string.Join(", ", providers.Names)} (e.g. \"openai/gpt-4o-mini\"), or a model name GET /v1/models lists."
                : $"The catalog knows no model '{model}': use \"provider/model\" (e.g. \"openai/gpt-4o-mini\"; providers: {string.Join(", ", providers.Names)}), or a model name GET /v1/models lists.",
            "model");
    }
}
