namespace LlmProxy.Core.Admin;

/// <summary>
/// Dashboard sessions ended before they expire, shared by every instance: sessions signed out one by one, and a time
/// before which every session issued is void ("sign out everywhere").
/// </summary>
public interface IAdminSessionStore
{
    /// <summary>What is revoked now (sessions signed out that have not expired yet, and the cut-off).</summary>
    Task<SessionRevocations> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Ends one session; the record goes once the session would have expired anyway.</summary>
    Task SignOutAsync(string sessionId, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Ends every session issued before <paramref name="issuedBefore"/>.</summary>
    Task SignOutEverywhereAsync(DateTimeOffset issuedBefore, CancellationToken cancellationToken);
}

/// <param name="SignedOut">Ids of sessions signed out that have not expired yet.</param>
/// <param name="IssuedBefore">Sessions issued before this are void; null while no one signed out everywhere.</param>
public sealed record SessionRevocations(IReadOnlySet<string> SignedOut, DateTimeOffset? IssuedBefore)
{
    public static readonly SessionRevocations None = new(new HashSet<string>(), null);

    /// <summary>A session signed in within the very millisecond of a sign-out everywhere is ended too.</summary>
    public bool Revokes(AdminSession session) => SignedOut.Contains(session.Id) || session.IssuedAt <= IssuedBefore;
}
