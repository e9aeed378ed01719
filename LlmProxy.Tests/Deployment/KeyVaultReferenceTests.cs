using LlmProxy.Core;
using LlmProxy.Core.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Deployment;

/// <summary>An app setting whose Key Vault reference App Service could not resolve must not count as a vendor key.</summary>
public sealed class KeyVaultReferenceTests
{
    private static bool OpenAIIsConfigured(string apiKey)
    {
        using var services = new ServiceCollection()
            .AddLogging()
            .AddLlmProxyCore(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["LlmProxy:Providers:openai:ApiKey"] = apiKey }).Build(), HostKind.Functions)
            .BuildServiceProvider();
        return services.GetServices<IChatProvider>().Single(p => p.Name == "openai").IsConfigured;
    }

    [Fact]
    public void An_unresolved_reference_leaves_the_vendor_unconfigured()
    {
        Assert.False(OpenAIIsConfigured("@Microsoft.KeyVault(SecretUri=https://kv-llmproxy.vault.azure.net/secrets/openai-api-key/)"));
    }

    [Fact]
    public void A_resolved_key_configures_the_vendor()
    {
        Assert.True(OpenAIIsConfigured("sk-test-123"));
    }
}
