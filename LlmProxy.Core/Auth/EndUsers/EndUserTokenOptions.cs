using System.ComponentModel.DataAnnotations;
using LlmProxy.Core.Configuration;

namespace LlmProxy.Core.Auth.EndUsers;

/// <summary>End-user tokens (section <c>LlmProxy:EndUserTokens</c>); see docs/web-component.md.</summary>
public sealed class EndUserTokenOptions
{
    public const string Section = "LlmProxy:EndUserTokens";

    /// <summary>The shortest signing key accepted: a key an attacker could guess would let them mint tokens for any tenant.</summary>
    public const int MinSigningKeyLength = 32;

    /// <summary>
    /// The secret tokens are signed with (HMAC-SHA256), at least 32 characters. Unset: no tokens are issued or
    /// accepted, except in the Development environment, where a key is generated at start-up (tokens then end with
    /// the process).
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>The key being rotated out: tokens it signed are still accepted (none are signed with it).</summary>
    public string? PreviousSigningKey { get; set; }

    /// <summary>Lifetime of a token whose request names none.</summary>
    [Range(1, 86_400)]
    public int DefaultLifetimeSeconds { get; set; } = 900;

    /// <summary>The longest lifetime a request may ask for; bounds how long a leaked token works.</summary>
    [Range(1, 86_400)]
    public int MaxLifetimeSeconds { get; set; } = 3600;

    /// <summary>An unresolved Key Vault reference is no key (the secret is missing, or the role not yet granted).</summary>
    internal static void ClearUnresolvedKeys(EndUserTokenOptions options)
    {
        if (KeyVaultReferences.IsUnresolved(options.SigningKey)) options.SigningKey = null;
        if (KeyVaultReferences.IsUnresolved(options.PreviousSigningKey)) options.PreviousSigningKey = null;
    }

    internal static bool IsValid(EndUserTokenOptions options) =>
        options.DefaultLifetimeSeconds <= options.MaxLifetimeSeconds
        && IsUsableKey(options.SigningKey) && IsUsableKey(options.PreviousSigningKey)
        && (string.IsNullOrEmpty(options.PreviousSigningKey) || options.PreviousSigningKey != options.SigningKey);

    private static bool IsUsableKey(string? key) => string.IsNullOrEmpty(key) || key.Length >= MinSigningKeyLength;
}
