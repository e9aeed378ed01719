using LlmProxy.Core.Catalog;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Proxy.Fallbacks;

/// <summary>The vendors a call may be answered by, in order: the one it names, then its configured fallbacks.</summary>
public sealed class FallbackRoutes(IOptions<FallbackOptions> options, ProviderRegistry providers, CatalogRules catalogRules)
{
    public sealed record Target(ProxyCall Call, IChatProvider Provider);

    public IReadOnlyList<Target> For(ProxyCall call, IChatProvider provider)
    {
        var targets = new List<Target> { new(call, provider) };
        var rules = options.Value.Rules;
        // A native body is for its own vendor only; another vendor would get the projection, which is not the call.
        if (rules.Count == 0 || call.Request.Native is not null) return targets;
        var from = $"{call.Provider}/{call.Model}";
        var rule = rules.Find(r => string.Equals(r.From, from, StringComparison.OrdinalIgnoreCase));
        foreach (var to in rule?.To ?? [])
        {
            var slash = to.IndexOf('/');
            if (slash <= 0) continue;
            try
            {
                var fallback = catalogRules.Apply(call with { Provider = to[..slash].ToLowerInvariant(), Model = to[(slash + 1)..], Request = call.Request with { Model = to[(slash + 1)..] } });
                targets.Add(new(fallback, providers.Resolve(fallback.Provider)));
            }
            catch (ProxyException)
            {
                // A fallback that cannot take this call (vendor not configured, no vision for an image) is passed over.
            }
        }
        return targets;
    }

    /// <summary>Failures of the vendor, not of the call: worth another vendor. A 4xx would fail anywhere.</summary>
    public static bool Warrants(ProxyException error) => error.Provider is not null && error.Status is 429 or >= 500;
}
