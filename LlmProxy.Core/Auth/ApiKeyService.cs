using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Auth;

/// <summary>Creates, lists and revokes tenant keys (admin API).</summary>
public sealed class ApiKeyService(IApiKeyStore store, TimeProvider clock)
{
    public async Task<CreatedApiKey> CreateAsync(string tenantId, string? name, CancellationToken cancellationToken)
    {
        Proxy.RequestValidator.CheckId(tenantId, "tenantId");
        var key = ApiKeyHasher.NewKey();
        var record = new ApiKeyRecord
        {
            KeyId = ApiKeyHasher.NewKeyId(),
            TenantId = tenantId,
            Name = string.IsNullOrWhiteSpace(name) ? "key" : name.Trim(),
            Prefix = key[..12],
            Hash = ApiKeyHasher.Hash(key),
            CreatedAt = clock.GetUtcNow(),
        };
        if (record.Name.Length > 100) throw ProxyException.BadRequest("'name' must be at most 100 characters.", "name");
        await store.AddAsync(record, cancellationToken).ConfigureAwait(false);
        return new CreatedApiKey(record.KeyId, tenantId, record.Name, record.Prefix, key, record.CreatedAt);
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        store.ListAsync(tenantId, cancellationToken);

    public async Task RevokeAsync(string keyId, CancellationToken cancellationToken)
    {
        if (!await store.RevokeAsync(keyId, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            throw new ProxyException(404, ErrorTypes.NotFound, $"No key '{keyId}'.", "keyId");
    }
}
