using System.Security.Cryptography;
using System.Text;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Errors;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Admin;

/// <summary>
/// Who may call the admin routes: a caller presenting the admin key, or a signed-in dashboard session. A session's
/// writes must also carry its CSRF token (in a header no other site can set), on top of the SameSite=Strict cookie.
/// </summary>
public sealed class AdminGate(AdminKeyCheck keyCheck, AdminSessions sessions, IOptionsMonitor<AdminOptions> options)
{
    public const string CsrfHeader = "X-CSRF-Token";

    /// <summary>Returns who is calling, for the audit trail; throws 401/403 otherwise.</summary>
    public string Demand(string? presentedKey, string? sessionToken, string? csrfToken, bool isWrite)
    {
        // Says plainly why, rather than "wrong admin key": a publishable key is public, so it must never be mistaken for any secret.
        if (ApiKeyHasher.LooksPublishable(presentedKey)) throw CallerAuthenticator.PublishableKeyNotAllowed();
        if (!string.IsNullOrEmpty(presentedKey) || string.IsNullOrEmpty(sessionToken) || string.IsNullOrEmpty(options.CurrentValue.ApiKey))
        {
            keyCheck.Demand(presentedKey);
            return sessions.KeyActor();
        }
        var session = sessions.Read(sessionToken)
            ?? throw new ProxyException(401, ErrorTypes.Authentication, "The dashboard session has expired or is not valid: sign in again.");
        if (isWrite && (string.IsNullOrEmpty(csrfToken) ||
            !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(csrfToken), Encoding.UTF8.GetBytes(session.CsrfToken))))
            throw new ProxyException(403, ErrorTypes.PermissionDenied, $"A dashboard write needs the session's {CsrfHeader} header.");
        return session.Actor;
    }
}
