using LlmProxy.Core.Auth.Platform;
using LlmProxy.Core.Auth.Publishable;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Auth;

/// <summary>Creates, lists and revokes tenant and platform keys (admin API).</summary>
public sealed class ApiKeyService(IApiKeyStore store, QuotaLimits limits, QuotaService quotas, TimeProvider clock)
{
    public Task<CreatedApiKey> CreateAsync(string tenantId, string? name, CancellationToken cancellationToken) =>
        CreateAsync(tenantId, new NewApiKey { Name = name }, cancellationToken);

    public async Task<CreatedApiKey> CreateAsync(string tenantId, NewApiKey request, CancellationToken cancellationToken)
    {
        Proxy.RequestValidator.CheckTenantId(tenantId);
        var name = Name(request.Name);
        var publishable = (request.Kind ?? ApiKeyKinds.Secret) switch
        {
            ApiKeyKinds.Secret => SecretOnly(request),
            ApiKeyKinds.Publishable => PublishableKeyPolicy.From(request,
                (await limits.ForAsync(QuotaScope.Tenant(tenantId), cancellationToken).ConfigureAwait(false)).LimitsUsage),
            ApiKeyKinds.Platform => throw ProxyException.BadRequest("A platform key belongs to no tenant: create it with POST /api/admin/platform-keys.", "kind"),
            _ => throw ProxyException.BadRequest($"'kind' must be \"{ApiKeyKinds.Secret}\" or \"{ApiKeyKinds.Publishable}\".", "kind"),
        };
        return await IssueAsync(publishable is null ? ApiKeyKinds.Secret : ApiKeyKinds.Publishable, tenantId, name, publishable, platform: null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes a new key of <paramref name="kind"/>, stores its hash, and returns the key itself, shown this once.</summary>
    private async Task<CreatedApiKey> IssueAsync(string kind, string tenantId, string name, PublishableKeyPolicy? publishable,
        PlatformKeyPolicy? platform, CancellationToken cancellationToken)
    {
        var key = ApiKeyHasher.NewKey(kind);
        var record = new ApiKeyRecord
        {
            KeyId = ApiKeyHasher.NewKeyId(),
            TenantId = tenantId,
            Name = name,
            Prefix = key[..12],
            Hash = ApiKeyHasher.Hash(key),
            CreatedAt = clock.GetUtcNow(),
            Publishable = publishable,
            Platform = platform,
        };
        await store.AddAsync(record, cancellationToken).ConfigureAwait(false);
        return new CreatedApiKey(record.KeyId, tenantId, record.Name, record.Prefix, key, record.CreatedAt, record.Kind, publishable, platform);
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        store.ListAsync(tenantId, cancellationToken);

    /// <summary>A tenant's keys as the admin API shows them, each publishable key with what it spent of its own budget this period.</summary>
    public async Task<List<ApiKeyInfo>> ListInfoAsync(string tenantId, CancellationToken cancellationToken)
    {
        var shown = new List<ApiKeyInfo>();
        foreach (var key in await store.ListAsync(tenantId, cancellationToken).ConfigureAwait(false))
            shown.Add(ApiKeyInfo.From(key) with
            {
                Budget = key.Publishable?.Budget(key.KeyId) is { } budget
                    ? await quotas.KeyFiguresAsync(tenantId, budget, cancellationToken).ConfigureAwait(false)
                    : null,
            });
        return shown;
    }

    /// <summary>
    /// A platform key: the operator's backend acting for the tenants it lists (or all), each call naming one. It belongs
    /// to no tenant, so it is stored under the empty tenant id, which no tenant can have.
    /// </summary>
    public async Task<CreatedApiKey> CreatePlatformAsync(NewPlatformKey request, CancellationToken cancellationToken)
    {
        var name = Name(request.Name);
        var policy = PlatformKeyPolicy.From(request);
        return await IssueAsync(ApiKeyKinds.Platform, PlatformTenant, name, publishable: null, policy, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListPlatformAsync(CancellationToken cancellationToken) => store.ListAsync(PlatformTenant, cancellationToken);

    /// <summary>The tenant id platform keys are stored under: empty, which <see cref="Proxy.RequestValidator.CheckTenantId"/> refuses for any tenant.</summary>
    private const string PlatformTenant = "";

    private static string Name(string? requested)
    {
        var name = string.IsNullOrWhiteSpace(requested) ? "key" : requested.Trim();
        return name.Length <= 100 ? name : throw ProxyException.BadRequest("'name' must be at most 100 characters.", "name");
    }

    public async Task RevokeAsync(string keyId, CancellationToken cancellationToken)
    {
        if (!await store.RevokeAsync(keyId, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            throw new ProxyException(404, ErrorTypes.NotFound, $"No key '{keyId}'.", "keyId");
    }

    /// <summary>A secret key given a publishable key's fields is a mistake the caller should hear about, not a silent no-op.</summary>
    private static PublishableKeyPolicy? SecretOnly(NewApiKey request)
    {
        var stray = request.AllowedOrigins is not null ? "allowedOrigins"
            : request.RequestsPerMinutePerUser is not null ? "requestsPerMinutePerUser"
            : request.RequestsPerMinutePerIp is not null ? "requestsPerMinutePerIp"
            : request.AllowedModels is not null ? "allowedModels"
            : request.TokenLimit is not null ? "tokenLimit"
            : request.CostLimitUsd is not null ? "costLimitUsd" : null;
        return stray is null ? null : throw ProxyException.BadRequest($"'{stray}' applies only to keys of kind \"{ApiKeyKinds.Publishable}\".", stray);
    }
}
