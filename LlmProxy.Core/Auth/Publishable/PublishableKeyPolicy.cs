using LlmProxy.Core.Cors;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Auth.Publishable;

/// <summary>
/// What a publishable key may do, fixed at its creation: the page origins it works from, its per-user and per-IP
/// request rates (null: the defaults of <see cref="PublishableKeyOptions"/>), the only providers or
/// <c>provider/model</c> pairs it may call, and its own budget per quota period, which every page and user of the key
/// spends together.
/// </summary>
public sealed record PublishableKeyPolicy
{
    public const int MaxOrigins = 20;
    public const int MaxRequestsPerMinute = 1_000_000;
    public const long MaxTokenLimit = 1_000_000_000_000;

    /// <summary>Exact origins (<c>scheme://host[:port]</c>), lower case, as browsers send them in <c>Origin</c>.</summary>
    public required IReadOnlyList<string> AllowedOrigins { get; init; }

    public int? RequestsPerMinutePerUser { get; init; }

    public int? RequestsPerMinutePerIp { get; init; }

    /// <summary>Entries <c>provider</c> (any of its models) or <c>provider/model</c>; null (keys created before it was required): any.</summary>
    public IReadOnlyList<string>? AllowedModels { get; init; }

    /// <summary>Tokens per quota period for all the key's calls together; null: no token budget of its own.</summary>
    public long? TokenLimit { get; init; }

    /// <summary>USD per quota period for all the key's calls together; null: no money budget of its own.</summary>
    public decimal? CostLimitUsd { get; init; }

    /// <summary>The key's own budget, or null when it has none (then only its tenant's limits bound it).</summary>
    public KeyBudget? Budget(string keyId) => TokenLimit is null && CostLimitUsd is null ? null : new KeyBudget(keyId, TokenLimit, CostLimitUsd);

    public bool AllowsOrigin(string? origin) =>
        !string.IsNullOrEmpty(origin) && AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase);

    public bool AllowsModel(string provider, string model) => ModelAllowList.Allows(AllowedModels, provider, model);

    /// <summary>
    /// The policy a key creation asks for; a 400 naming the field for anything out of bounds. A key is public, so it
    /// must name the models it may call, and it must carry a budget of its own unless its tenant
    /// (<paramref name="tenantIsLimited"/>) has a finite token or money limit: otherwise anyone holding the page could
    /// spend the tenant's wallet, whatever user id they send.
    /// </summary>
    public static PublishableKeyPolicy From(NewApiKey request, bool tenantIsLimited)
    {
        if (request.AllowedOrigins is not { Count: > 0 and <= MaxOrigins } origins)
            throw ProxyException.BadRequest($"A publishable key needs 'allowedOrigins': 1 to {MaxOrigins} origins such as \"https://www.example.com\".", "allowedOrigins");
        var policy = new PublishableKeyPolicy
        {
            AllowedOrigins = origins.Select(Origin).Distinct(StringComparer.Ordinal).ToList(),
            RequestsPerMinutePerUser = Rate(request.RequestsPerMinutePerUser, "requestsPerMinutePerUser"),
            RequestsPerMinutePerIp = Rate(request.RequestsPerMinutePerIp, "requestsPerMinutePerIp"),
            AllowedModels = ModelAllowList.Parse(request.AllowedModels, "allowedModels") ?? throw ProxyException.BadRequest(
                "A publishable key needs 'allowedModels': the providers or \"provider/model\" pairs its pages may call (its key is public, so it reaches only what the page needs).", "allowedModels"),
            TokenLimit = Tokens(request.TokenLimit),
            CostLimitUsd = Cost(request.CostLimitUsd),
        };
        if (policy.TokenLimit is null && policy.CostLimitUsd is null && !tenantIsLimited)
            throw ProxyException.BadRequest(
                "A publishable key needs a budget of its own while its tenant has no token or money limit: 'costLimitUsd' and/or 'tokenLimit' per quota period. " +
                "Its key is public and a page's user id is whatever the caller sends, so without one anyone holding the page could spend the tenant's wallet.", "costLimitUsd");
        return policy;
    }

    /// <summary>Only <c>http(s)://host[:port]</c> exactly: no path, query, user info, wildcard or trailing slash.</summary>
    private static string Origin(string? entry)
    {
        if (entry is { Length: > 0 and <= 200 } && Origins.Exact(entry) is { } origin) return origin;
        throw ProxyException.BadRequest($"'allowedOrigins' entries must be exact origins such as \"https://www.example.com\" or \"http://localhost:5173\" (scheme, host, optional port; nothing else); got \"{entry}\".", "allowedOrigins");
    }

    private static int? Rate(int? value, string name) => value is null or (>= 1 and <= MaxRequestsPerMinute)
        ? value
        : throw ProxyException.BadRequest($"'{name}' must be 1 to {MaxRequestsPerMinute} (leave it out for the default).", name);

    private static long? Tokens(long? value) => value is null or (>= 1 and <= MaxTokenLimit)
        ? value
        : throw ProxyException.BadRequest($"'tokenLimit' must be 1 to {MaxTokenLimit} tokens per quota period (leave it out for none).", "tokenLimit");

    private static decimal? Cost(decimal? value) => value is not { } usd || (usd > 0 && Nanodollars.IsLimit(usd))
        ? value
        : throw ProxyException.BadRequest($"'costLimitUsd' must be above 0 and at most {Nanodollars.MaxLimitUsd:0} USD per quota period, with at most 9 decimals (leave it out for none).", "costLimitUsd");

    // Lists compare by content, so a stored policy read back equals the one written.
    public bool Equals(PublishableKeyPolicy? other) =>
        other is not null && AllowedOrigins.SequenceEqual(other.AllowedOrigins) && RequestsPerMinutePerUser == other.RequestsPerMinutePerUser
        && RequestsPerMinutePerIp == other.RequestsPerMinutePerIp && TokenLimit == other.TokenLimit && CostLimitUsd == other.CostLimitUsd
        && (AllowedModels ?? []).SequenceEqual(other.AllowedModels ?? []) && (AllowedModels is null) == (other.AllowedModels is null);

    public override int GetHashCode() => HashCode.Combine(AllowedOrigins.Count, RequestsPerMinutePerUser, RequestsPerMinutePerIp);
}
