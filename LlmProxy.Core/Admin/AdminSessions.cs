using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Admin;

/// <summary>
/// Dashboard sessions as signed tokens, so every instance accepts a session another one issued without a store read
/// per request: <c>v2.{sessionId}.{issuedUnixMs}.{expiresUnixSeconds}.{signature}</c>, HMAC-SHA256 under a key derived
/// (HKDF) from the admin key. Changing the admin key therefore ends every session. The CSRF token of a session is
/// derived from it the same way. Ending a session early (sign-out, sign out everywhere) is
/// <see cref="AdminSessionRevocations"/>' job; this class only proves a token was issued here and has not expired.
/// </summary>
public sealed class AdminSessions(IOptionsMonitor<AdminOptions> options, TimeProvider clock)
{
    private const string Version = "v2";

    public AdminSession Issue()
    {
        var sessionId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var issued = clock.GetUtcNow();
        var expires = issued.AddMinutes(options.CurrentValue.SessionMinutes);
        var payload = string.Join('.', Version, sessionId, Number(issued.ToUnixTimeMilliseconds()), Number(expires.ToUnixTimeSeconds()));
        var key = SigningKey() ?? throw new InvalidOperationException("No admin key is set.");
        return new AdminSession(sessionId, DateTimeOffset.FromUnixTimeMilliseconds(issued.ToUnixTimeMilliseconds()), expires,
            $"{payload}.{Sign(key, payload)}", Sign(key, "csrf." + sessionId), Actor(sessionId));
    }

    /// <summary>The session a token stands for, or null when it is malformed, forged, expired or from an older admin key.</summary>
    public AdminSession? Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || SigningKey() is not { } key) return null;
        var parts = token.Split('.');
        if (parts.Length != 5 || parts[0] != Version) return null;
        var payload = string.Join('.', parts[..4]);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(key, payload)), Encoding.ASCII.GetBytes(parts[4]))) return null;
        if (!long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var issuedMs)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresSeconds)) return null;
        var expires = DateTimeOffset.FromUnixTimeSeconds(expiresSeconds);
        if (expires <= clock.GetUtcNow()) return null;
        return new AdminSession(parts[1], DateTimeOffset.FromUnixTimeMilliseconds(issuedMs), expires, token, Sign(key, "csrf." + parts[1]), Actor(parts[1]));
    }

    /// <summary>Names the admin key in the audit trail without revealing it: the start of its SHA-256.</summary>
    public string KeyActor() => $"admin key {KeyId()}";

    private string Actor(string sessionId) => $"dashboard session {sessionId[..8]} (admin key {KeyId()})";

    private string KeyId() =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(options.CurrentValue.ApiKey ?? "")))[..8];

    private byte[]? SigningKey() =>
        options.CurrentValue.ApiKey is { Length: > 0 } adminKey
            ? HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(adminKey), 32, info: "llmproxy dashboard session v1"u8.ToArray())
            : null;

    private static string Sign(byte[] key, string text) =>
        Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <param name="IssuedAt">When it was signed in (milliseconds), to compare with a "sign out everywhere".</param>
/// <param name="Token">The cookie value.</param>
/// <param name="CsrfToken">What the dashboard sends back in a header on every write.</param>
/// <param name="Actor">Who this session is in the audit trail.</param>
public sealed record AdminSession(string Id, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string Token, string CsrfToken, string Actor);

/// <summary>What the dashboard page learns about its session: the CSRF token for writes and when it ends.</summary>
public sealed record AdminSessionInfo(string CsrfToken, DateTimeOffset ExpiresAt);

/// <summary>The dashboard's sign-in body: <c>{"key": "&lt;admin key&gt;"}</c>.</summary>
public sealed record AdminSignIn(string? Key);
