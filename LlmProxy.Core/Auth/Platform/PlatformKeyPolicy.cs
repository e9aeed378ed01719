using System.Text.Json;
using System.Text.Json.Serialization;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Serialization;

namespace LlmProxy.Core.Auth.Platform;

/// <summary>
/// The tenants a platform key may act for: every tenant, or a list fixed at its creation. A platform key is the
/// operator's backend serving many tenants with one key; each call names its tenant (the seed body's <c>tenantId</c>,
/// or <c>X-Tenant-Id</c>), and the key must cover it.
/// </summary>
public sealed record PlatformKeyPolicy
{
    /// <summary>Small enough for one Table Storage property (32,768 characters) at 128 characters an id.</summary>
    public const int MaxTenants = 200;

    public bool AllTenants { get; init; }

    /// <summary>The tenants it may act for when not <see cref="AllTenants"/>.</summary>
    public IReadOnlyList<string> Tenants { get; init; } = [];

    public bool Allows(string tenantId) => AllTenants || Tenants.Contains(tenantId, StringComparer.Ordinal);

    /// <summary>The policy a creation asks for: exactly one of <c>tenants</c> and <c>allTenants: true</c>; a 400 naming the field otherwise.</summary>
    public static PlatformKeyPolicy From(NewPlatformKey request)
    {
        if (request.AllTenants == true)
        {
            if (request.Tenants is not null) throw ProxyException.BadRequest("Give either 'tenants' or \"allTenants\": true, not both.", "tenants");
            return new PlatformKeyPolicy { AllTenants = true };
        }
        if (request.Tenants is not { Count: > 0 and <= MaxTenants } tenants)
            throw ProxyException.BadRequest($"A platform key needs 'tenants' (1 to {MaxTenants} tenant ids) or \"allTenants\": true.", "tenants");
        for (var i = 0; i < tenants.Count; i++) Proxy.RequestValidator.CheckTenantId(tenants[i] ?? "", $"tenants[{i}]");
        return new PlatformKeyPolicy { Tenants = tenants.Distinct(StringComparer.Ordinal).ToList() };
    }

    /// <summary>How both key stores keep it: one JSON text beside the key's kind.</summary>
    public static string? Write(PlatformKeyPolicy? policy) =>
        policy is null ? null : JsonSerializer.Serialize(policy, ProxyDocumentsJsonContext.Default.PlatformKeyPolicy);

    /// <summary>A platform key without a readable policy is a corrupt row: failing loudly beats treating it as a tenant key.</summary>
    public static PlatformKeyPolicy? Read(string kind, string? json) => kind != ApiKeyKinds.Platform ? null
        : json is not null ? JsonSerializer.Deserialize(json, ProxyDocumentsJsonContext.Default.PlatformKeyPolicy) ?? throw new InvalidDataException("A platform key's stored policy is null.")
        : throw new InvalidDataException("A stored platform key has no tenant policy.");
}

/// <summary>The admin API's platform key creation body; a misspelt field is refused, not ignored.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record NewPlatformKey
{
    public string? Name { get; init; }
    public List<string>? Tenants { get; init; }
    public bool? AllTenants { get; init; }
}
