using LlmProxy.Core.Auth.Publishable;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Auth;

/// <summary>Creates, lists and revokes tenant keys (admin API).</summary>
public sealed class ApiKeyService(IApiKeyStore store, TimeProvider clock)
{
    public Task<CreatedApiKey> CreateAsync(string tenantId, string? name, CancellationToken cancellationToken) =>
        CreateAsync(tenantId, new NewApiKey { Name = name }, cancellationToken);

    public async Task<CreatedApiKey> CreateAsync(string tenantId, NewApiKey request, CancellationToken cancellationToken)
    {
        Proxy.RequestValidator.CheckTenantId(tenantId);
        var name = string.IsNullOrWhiteSpace(request.Name) ? "key" : request.Name.Trim();
        if (name.Length > 100) throw ProxyException.BadRequest("'name' must be at most 100 characters.", "name");
        var publishable = (request.Kind ?? ApiKeyKinds.Secret) switch
        {
            ApiKeyKinds.Secret => SecretOnly(request),
            ApiKeyKinds.Publishable => PublishableKeyPolicy.From(request),
            _ => throw ProxyException.BadRequest($"'kind' must be \"{ApiKeyKinds.Secret}\" or \"{ApiKeyKinds.Publishable}\".", "kind"),
        };
        var key = ApiKeyHasher.NewKey(publishable is null ? ApiKeyKinds.Secret : ApiKeyKinds.Publishable);
        var record = new ApiKeyRecord
        {
            KeyId = ApiKeyHasher.NewKeyId(),
            TenantId = tenantId,
            Name = name,
            Prefix = key[..12],
            Hash = ApiKeyHasher.Hash(key),
            CreatedAt = clock.GetUtcNow(),
            Publishable = publishable,
        };
        await store.AddAsync(record, cancellationToken).ConfigureAwait(false);
        return new CreatedApiKey(record.KeyId, tenantId, record.Name, record.Prefix, key, record.CreatedAt, record.Kind, publishable);
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        store.ListAsync(tenantId, cancellationToken);

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
            : request.AllowedModels is not null ? "allowedModels" : null;
        return stray is null ? null : throw ProxyException.BadRequest($"'{stray}' applies only to keys of kind \"{ApiKeyKinds.Publishable}\".", stray);
    }
}
