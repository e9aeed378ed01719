using Azure.Core;
using Azure.Identity;
using LlmProxy.Core.Errors;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Core.Providers.AzureOpenAI;

/// <summary>
/// Microsoft Entra ID access tokens for Azure OpenAI from the app's identity (the managed identity in Azure, a
/// developer's <c>az login</c> locally: <see cref="DefaultAzureCredential"/>). One token serves every call until
/// <see cref="RefreshMargin"/> before it expires (or from when the credential says to refresh it), and only one
/// caller asks for the next: a burst at expiry makes one request to the identity endpoint, not one per call.
/// </summary>
public sealed partial class EntraTokens(TokenCredential credential, TimeProvider clock, ILogger<EntraTokens> log)
{
    /// <summary>The audience of Azure AI services' data plane (Azure OpenAI included).</summary>
    public const string Scope = "https://cognitiveservices.azure.com/.default";

    /// <summary>How long before expiry a token is replaced: covers clock skew and a call that starts just before expiry.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private static readonly TokenRequestContext Request = new([Scope]);

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private volatile CachedToken? _current;

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt);

    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        if (Usable(_current) is { } token) return token;
        await _fetching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Whoever held the lock before may have fetched it already.
            if (Usable(_current) is { } fetched) return fetched;
            AccessToken access;
            try
            {
                access = await credential.GetTokenAsync(Request, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationFailedException e)
            {
                // The credential's message lists what it tried (environment, identity endpoint); the operator reads it here.
                LogNoToken(log, e);
                throw new ProxyException(502, ErrorTypes.ProviderAuthentication,
                    "The proxy's identity could not get a token for Azure OpenAI; the proxy's log says why.", provider: AzureOpenAIProvider.ProviderName, inner: e);
            }
            var expiresSoon = access.ExpiresOn - RefreshMargin;
            _current = new CachedToken(access.Token, access.RefreshOn is { } refreshOn && refreshOn < expiresSoon ? refreshOn : expiresSoon);
            return access.Token;
        }
        finally
        {
            _fetching.Release();
        }
    }

    private string? Usable(CachedToken? token) => token is not null && clock.GetUtcNow() < token.RefreshAt ? token.Value : null;

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "No Entra ID token for Azure OpenAI (scope " + Scope + ")")]
    private static partial void LogNoToken(ILogger logger, Exception error);
}
