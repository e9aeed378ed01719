using System.Net;
using System.Security.Cryptography;
using System.Text;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Errors;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Admin;

/// <summary>
/// Who may call the admin routes: a caller presenting the admin key, or a live dashboard session (signed here, not
/// expired, not signed out). A session's writes must also carry its CSRF token (in a header no other site can set), on
/// top of the SameSite=Strict cookie.
/// </summary>
public sealed class AdminGate(AdminKeyCheck keyCheck, AdminSessions sessions, AdminSessionRevocations revocations, IOptionsMonitor<AdminOptions> options)
{
    public const string CsrfHeader = "X-CSRF-Token";

    /// <summary>Returns who is calling, for the audit trail; throws 401/403/429 otherwise.</summary>
    public async Task<string> DemandAsync(AdminCredentials credentials, CancellationToken cancellationToken)
    {
        // Says plainly why, rather than "wrong admin key": a publishable key is public, so it must never be mistaken for any secret.
        if (ApiKeyHasher.LooksPublishable(credentials.Key)) throw CallerAuthenticator.PublishableKeyNotAllowed();
        if (!string.IsNullOrEmpty(credentials.Key) || string.IsNullOrEmpty(credentials.SessionToken) || string.IsNullOrEmpty(options.CurrentValue.ApiKey))
        {
            keyCheck.Demand(credentials.Key, credentials.Remote, credentials.ForwardedFor);
            return sessions.KeyActor();
        }
        var session = await SessionAsync(credentials.SessionToken, cancellationToken).ConfigureAwait(false)
            ?? throw new ProxyException(401, ErrorTypes.Authentication, "The dashboard session has ended or is not valid: sign in again.");
        if (credentials.IsWrite && (string.IsNullOrEmpty(credentials.CsrfToken) ||
            !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(credentials.CsrfToken), Encoding.UTF8.GetBytes(session.CsrfToken))))
            throw new ProxyException(403, ErrorTypes.PermissionDenied, $"A dashboard write needs the session's {CsrfHeader} header.");
        return session.Actor;
    }

    /// <summary>The live session a cookie stands for, or null (malformed, forged, expired, from an older admin key, signed out).</summary>
    public async Task<AdminSession?> SessionAsync(string? sessionToken, CancellationToken cancellationToken) =>
        sessions.Read(sessionToken) is { } session && !await revocations.RevokesAsync(session, cancellationToken).ConfigureAwait(false) ? session : null;
}

/// <summary>What a request presents to the admin gate.</summary>
/// <param name="Key">The admin key, if one was sent.</param>
/// <param name="SessionToken">The dashboard session cookie, if any.</param>
/// <param name="CsrfToken">The session's CSRF header, if any.</param>
/// <param name="IsWrite">Anything but GET and HEAD.</param>
/// <param name="Remote">The connection's peer address.</param>
/// <param name="ForwardedFor">The request's X-Forwarded-For, heeded only where the front is trusted.</param>
public sealed record AdminCredentials(string? Key, string? SessionToken, string? CsrfToken, bool IsWrite, IPAddress? Remote, string? ForwardedFor);
