using LlmProxy.Core.Cors;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Auth.Publishable;

/// <summary>
/// What a publishable key may do, fixed at its creation: the page origins it works from, its per-user and per-IP
/// request rates (null: the defaults of <see cref="PublishableKeyOptions"/>) and optionally the only providers or
/// <c>provider/model</c> pairs it may call.
/// </summary>
public sealed record PublishableKeyPolicy
{
    public const int MaxOrigins = 20;
    public const int MaxRequestsPerMinute = 1_000_000;

    /// <summary>Exact origins (<c>scheme://host[:port]</c>), lower case, as browsers send them in <c>Origin</c>.</summary>
    public required IReadOnlyList<string> AllowedOrigins { get; init; }

    public int? RequestsPerMinutePerUser { get; init; }

    public int? RequestsPerMinutePerIp { get; init; }

    /// <summary>Entries <c>provider</c> (any of its models) or <c>provider/model</c>; null: any.</summary>
    public IReadOnlyList<string>? AllowedModels { get; init; }

    public bool AllowsOrigin(string? origin) =>
        !string.IsNullOrEmpty(origin) && AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase);

    public bool AllowsModel(string provider, string model) => ModelAllowList.Allows(AllowedModels, provider, model);

    /// <summary>The policy a key creation asks for; a 400 naming the field for anything out of bounds.</summary>
    public static PublishableKeyPolicy From(NewApiKey request)
    {
        if (request.AllowedOrigins is not { Count: > 0 and <= MaxOrigins } origins)
            throw ProxyException.BadRequest($"A publishable key needs 'allowedOrigins': 1 to {MaxOrigins} origins such as \"https://www.example.com\".", "allowedOrigins");
        return new PublishableKeyPolicy
        {
            AllowedOrigins = origins.Select(Origin).Distinct(StringComparer.Ordinal).ToList(),
            RequestsPerMinutePerUser = Rate(request.RequestsPerMinutePerUser, "requestsPerMinutePerUser"),
            RequestsPerMinutePerIp = Rate(request.RequestsPerMinutePerIp, "requestsPerMinutePerIp"),
            AllowedModels = ModelAllowList.Parse(request.AllowedModels, "allowedModels"),
        };
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

    // Lists compare by content, so a stored policy read back equals the one written.
    public bool Equals(PublishableKeyPolicy? other) =>
        other is not null && AllowedOrigins.SequenceEqual(other.AllowedOrigins) && RequestsPerMinutePerUser == other.RequestsPerMinutePerUser
        && RequestsPerMinutePerIp == other.RequestsPerMinutePerIp
        && (AllowedModels ?? []).SequenceEqual(other.AllowedModels ?? []) && (AllowedModels is null) == (other.AllowedModels is null);

    public override int GetHashCode() => HashCode.Combine(AllowedOrigins.Count, RequestsPerMinutePerUser, RequestsPerMinutePerIp);
}
