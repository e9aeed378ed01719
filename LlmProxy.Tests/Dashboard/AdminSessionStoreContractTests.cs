using LlmProxy.Core.Admin;
using LlmProxy.Core.Storage.Sqlite;
using LlmProxy.Core.Storage.Tables;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Dashboard;

/// <summary>The store of dashboard sign-outs: the same cases against SQLite and against Table Storage on Azurite.</summary>
public abstract class AdminSessionStoreContractTests(AzuriteFixture azurite, StoreKindUnderTest kind) : StoreTest(azurite, kind)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private IAdminSessionStore Sessions => Core.Get<IAdminSessionStore>();

    [Fact]
    public void The_store_is_of_the_kind_under_test() =>
        Assert.IsType(Kind == StoreKindUnderTest.Tables ? typeof(TableAdminSessionStore) : typeof(SqliteAdminSessionStore), Sessions);

    [Fact]
    public async Task Nothing_is_revoked_at_first()
    {
        var read = await Sessions.ReadAsync(T0, Ct);

        Assert.Empty(read.SignedOut);
        Assert.Null(read.IssuedBefore);
    }

    [Fact]
    public async Task A_signed_out_session_reads_revoked_until_it_would_have_expired_and_is_then_forgotten()
    {
        await Sessions.SignOutAsync("s1", T0.AddMinutes(30), T0, Ct);
        await Sessions.SignOutAsync("s2", T0.AddMinutes(10), T0, Ct);

        Assert.Equal(["s1", "s2"], (await Sessions.ReadAsync(T0.AddMinutes(5), Ct)).SignedOut.Order());
        Assert.Equal(["s1"], (await Sessions.ReadAsync(T0.AddMinutes(10), Ct)).SignedOut);
        await Sessions.SignOutAsync("s3", T0.AddMinutes(60), T0.AddMinutes(31), Ct);
        Assert.Equal(["s3"], (await Sessions.ReadAsync(T0.AddMinutes(31), Ct)).SignedOut);
    }

    [Fact]
    public async Task Signing_out_everywhere_sets_the_cut_off_and_a_later_one_moves_it()
    {
        await Sessions.SignOutEverywhereAsync(T0, Ct);
        Assert.Equal(T0, (await Sessions.ReadAsync(T0, Ct)).IssuedBefore);

        await Sessions.SignOutEverywhereAsync(T0.AddMinutes(1), Ct);
        Assert.Equal(T0.AddMinutes(1), (await Sessions.ReadAsync(T0, Ct)).IssuedBefore);
    }
}

public sealed class SqliteAdminSessionStoreContractTests(AzuriteFixture azurite) : AdminSessionStoreContractTests(azurite, StoreKindUnderTest.Sqlite);

public sealed class TableAdminSessionStoreContractTests(AzuriteFixture azurite) : AdminSessionStoreContractTests(azurite, StoreKindUnderTest.Tables);
