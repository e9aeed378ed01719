using Azure.Data.Tables;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Auth.Platform;
using LlmProxy.Core.Auth.Publishable;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Storage.Sqlite;
using LlmProxy.Core.Storage.Tables;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace LlmProxy.Tests.Auth;

/// <summary>The key store contract: the same cases against SQLite and against Table Storage on Azurite.</summary>
public abstract class ApiKeyStoreContractTests(AzuriteFixture azurite, StoreKindUnderTest kind) : StoreTest(azurite, kind)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private IApiKeyStore Keys => Core.Get<IApiKeyStore>();

    private static ApiKeyRecord Key(string keyId, string tenant, int minutes) => new()
    {
        KeyId = keyId,
        TenantId = tenant,
        Name = "key " + keyId,
        Prefix = "lpk_" + keyId[..2],
        Hash = ApiKeyHasher.Hash("secret-" + keyId),
        CreatedAt = T0.AddMinutes(minutes),
    };

    [Fact]
    public void The_store_is_of_the_kind_under_test() =>
        Assert.IsType(Kind == StoreKindUnderTest.Tables ? typeof(TableApiKeyStore) : typeof(SqliteApiKeyStore), Keys);

    [Fact]
    public async Task An_added_key_is_found_by_its_hash_and_an_unknown_hash_is_not()
    {
        var key = Key("key_a1", "acme", 0);
        await Keys.AddAsync(key, Ct);

        Assert.Equal(key, await Keys.FindByHashAsync(key.Hash, Ct));
        Assert.Null(await Keys.FindByHashAsync(ApiKeyHasher.Hash("never issued"), Ct));
    }

    [Fact]
    public async Task A_tenant_lists_only_its_own_keys_oldest_first()
    {
        await Keys.AddAsync(Key("key_b2", "acme", 5), Ct);
        await Keys.AddAsync(Key("key_a1", "acme", 1), Ct);
        await Keys.AddAsync(Key("key_c3", "globex", 0), Ct);
        await Keys.AddAsync(Key("key_d4", "acme|x", 0), Ct);

        Assert.Equal(["key_a1", "key_b2"], (await Keys.ListAsync("acme", Ct)).Select(k => k.KeyId));
        Assert.Equal(["key_c3"], (await Keys.ListAsync("globex", Ct)).Select(k => k.KeyId));
        Assert.Equal(["key_d4"], (await Keys.ListAsync("acme|x", Ct)).Select(k => k.KeyId));
        Assert.Empty(await Keys.ListAsync("initech", Ct));
    }

    [Fact]
    public async Task A_revoked_key_reads_revoked_everywhere_and_keeps_its_first_revocation_time()
    {
        var key = Key("key_a1", "acme", 0);
        var other = Key("key_b2", "acme", 1);
        await Keys.AddAsync(key, Ct);
        await Keys.AddAsync(other, Ct);

        Assert.True(await Keys.RevokeAsync("key_a1", T0.AddHours(1), Ct));
        Assert.True(await Keys.RevokeAsync("key_a1", T0.AddHours(2), Ct));

        var revoked = await Keys.FindByHashAsync(key.Hash, Ct);
        Assert.Equal(T0.AddHours(1), revoked?.RevokedAt);
        Assert.False(revoked?.IsActive);
        var listed = await Keys.ListAsync("acme", Ct);
        Assert.Equal([T0.AddHours(1), null], listed.Select(k => k.RevokedAt));
        Assert.True((await Keys.FindByHashAsync(other.Hash, Ct))?.IsActive);
    }

    [Fact]
    public async Task A_publishable_key_keeps_its_origins_limits_models_and_budget_and_a_secret_key_stays_secret()
    {
        var secret = Key("key_a1", "acme", 0);
        var publishable = Key("key_b2", "acme", 1) with
        {
            Publishable = new PublishableKeyPolicy
            {
                AllowedOrigins = ["https://www.example.com", "http://localhost:5173"],
                RequestsPerMinutePerUser = 7,
                RequestsPerMinutePerIp = 70,
                AllowedModels = ["mock", "openai/gpt-4o-mini"],
                TokenLimit = 50_000,
                CostLimitUsd = 12.345678912m,
            },
        };
        var unlimitedModels = Key("key_c3", "acme", 2) with { Publishable = new PublishableKeyPolicy { AllowedOrigins = ["https://a.example"] } };
        foreach (var key in new[] { secret, publishable, unlimitedModels }) await Keys.AddAsync(key, Ct);

        var found = await Keys.FindByHashAsync(publishable.Hash, Ct);
        Assert.Equal(publishable, found);
        Assert.Equal(ApiKeyKinds.Publishable, found!.Kind);
        Assert.Equal(["https://www.example.com", "http://localhost:5173"], found.Publishable!.AllowedOrigins);
        Assert.Equal((7, 70), (found.Publishable.RequestsPerMinutePerUser, found.Publishable.RequestsPerMinutePerIp));
        Assert.Equal(["mock", "openai/gpt-4o-mini"], found.Publishable.AllowedModels);
        Assert.Equal((50_000L, 12.345678912m), (found.Publishable.TokenLimit, found.Publishable.CostLimitUsd));
        Assert.Null((await Keys.FindByHashAsync(unlimitedModels.Hash, Ct))!.Publishable!.AllowedModels);
        var secretFound = await Keys.FindByHashAsync(secret.Hash, Ct);
        Assert.Equal((ApiKeyKinds.Secret, null), (secretFound!.Kind, secretFound.Publishable));
        Assert.Equal([secret, publishable, unlimitedModels], await Keys.ListAsync("acme", Ct));
    }

    [Fact]
    public async Task A_key_stored_before_key_kinds_existed_reads_as_a_secret_key()
    {
        var old = Key("key_o1", "acme", 0);
        if (Kind == StoreKindUnderTest.Tables)
        {
            var options = Core.Get<IOptions<StoreOptions>>().Value;
            var table = Core.Get<AzureStorageClients>().Table(options.Connection, options.KeysTableName);
            // The hash row exactly as the store wrote it before: no Kind, no PublishablePolicy.
            await table.AddEntityAsync(new TableEntity("h|" + old.Hash[..2], old.Hash)
            {
                ["KeyId"] = old.KeyId, ["TenantId"] = old.TenantId, ["Name"] = old.Name, ["Prefix"] = old.Prefix, ["Hash"] = old.Hash, ["CreatedAt"] = old.CreatedAt,
            }, Ct);
        }
        else
        {
            await using var connection = await Core.Get<SqliteConnectionFactory>().OpenAsync(Ct);
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO api_keys (key_id, tenant_id, name, prefix, hash, created_ms, revoked_ms) VALUES ($id, 'acme', $name, $prefix, $hash, $created, NULL);";
            insert.Parameters.AddWithValue("$id", old.KeyId);
            insert.Parameters.AddWithValue("$name", old.Name);
            insert.Parameters.AddWithValue("$prefix", old.Prefix);
            insert.Parameters.AddWithValue("$hash", old.Hash);
            insert.Parameters.AddWithValue("$created", old.CreatedAt.ToUnixTimeMilliseconds());
            await insert.ExecuteNonQueryAsync(Ct);
        }

        var found = await Keys.FindByHashAsync(old.Hash, Ct);
        Assert.Equal(old, found);
        Assert.Equal(ApiKeyKinds.Secret, found!.Kind);
    }

    [Fact]
    public async Task A_platform_key_keeps_its_tenants_is_listed_apart_from_every_tenant_and_revokes_like_any_key()
    {
        var some = Key("key_p1", "", 0) with { Prefix = "lp-plat-AbCd", Platform = new PlatformKeyPolicy { Tenants = ["acme", "globex"] } };
        var all = Key("key_p2", "", 1) with { Prefix = "lp-plat-EfGh", Platform = new PlatformKeyPolicy { AllTenants = true } };
        await Keys.AddAsync(some, Ct);
        await Keys.AddAsync(all, Ct);
        await Keys.AddAsync(Key("key_a1", "acme", 2), Ct);

        var found = await Keys.FindByHashAsync(some.Hash, Ct);
        Assert.Equal((ApiKeyKinds.Platform, "", false, null), (found!.Kind, found.TenantId, found.Platform!.AllTenants, found.Publishable));
        Assert.Equal(["acme", "globex"], found.Platform.Tenants);
        Assert.True((await Keys.FindByHashAsync(all.Hash, Ct))!.Platform!.AllTenants);
        Assert.Equal(["key_p1", "key_p2"], (await Keys.ListAsync("", Ct)).Select(k => k.KeyId));
        Assert.Equal(["key_a1"], (await Keys.ListAsync("acme", Ct)).Select(k => k.KeyId));

        Assert.True(await Keys.RevokeAsync("key_p1", T0.AddHours(1), Ct));
        Assert.Equal(T0.AddHours(1), (await Keys.FindByHashAsync(some.Hash, Ct))!.RevokedAt);
        Assert.Equal(T0.AddHours(1), (await Keys.ListAsync("", Ct)).Single(k => k.KeyId == "key_p1").RevokedAt);
    }

    [Fact]
    public async Task Revoking_an_unknown_key_is_false() =>
        Assert.False(await Keys.RevokeAsync("key_missing", T0, Ct));
}

public sealed class SqliteApiKeyStoreContractTests(AzuriteFixture azurite) : ApiKeyStoreContractTests(azurite, StoreKindUnderTest.Sqlite);

public sealed class TableApiKeyStoreContractTests(AzuriteFixture azurite) : ApiKeyStoreContractTests(azurite, StoreKindUnderTest.Tables);
