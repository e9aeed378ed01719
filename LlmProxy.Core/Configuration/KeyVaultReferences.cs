namespace LlmProxy.Core.Configuration;

/// <summary>
/// App Service replaces an <c>@Microsoft.KeyVault(...)</c> app setting with the secret; when it cannot (secret
/// missing, role not yet granted) the setting keeps the reference text itself. Such a value is not a key.
/// </summary>
public static class KeyVaultReferences
{
    private const string Prefix = "@Microsoft.KeyVault(";

    public static bool IsUnresolved(string? value) =>
        value is not null && value.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Treats vendors whose key is an unresolved reference as vendors without a key.</summary>
    public static void ClearUnresolvedApiKeys(ProvidersOptions options)
    {
        foreach (var provider in options.Providers.Values)
            if (IsUnresolved(provider.ApiKey)) provider.ApiKey = null;
    }
}
