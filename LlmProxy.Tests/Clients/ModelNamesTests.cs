using LlmProxy.Core.Catalog;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Providers.Mock;
using LlmProxy.Core.Usage;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace LlmProxy.Tests.Clients;

/// <summary>What a bare or prefixed OpenAI-style <c>model</c> resolves to, with the catalog the proxy ships.</summary>
public sealed class ModelNamesTests
{
    /// <summary>The real resolver over the built-in catalog (plus <paramref name="models"/>) and the vendors the proxy has.</summary>
    internal static ModelNames Create(string? defaultProvider = null, Dictionary<string, Dictionary<string, ModelSettings>>? models = null)
    {
        var catalogOptions = new ModelCatalogOptions();
        foreach (var (provider, entries) in models ?? []) catalogOptions.Models[provider] = entries;
        var proxyOptions = Options.Create(new ProxyOptions { DefaultProvider = defaultProvider });
        var vendors = new[] { "openai", "anthropic", "mistral", "deepseek", "cohere", "gemini" }
            .Select(IChatProvider (name) => new NamedVendor(name))
            .Append(new MockProvider(new TokenEstimator(), Options.Create(new ProvidersOptions()), TimeProvider.System));
        var registry = new ProviderRegistry(vendors, proxyOptions, new HostingEnvironment { EnvironmentName = "Production" });
        return new ModelNames(new ModelCatalog(Options.Create(catalogOptions)), registry, proxyOptions);
    }

    [Theory]
    [InlineData("openai/gpt-4o-mini", "openai", "gpt-4o-mini")]
    [InlineData("OpenAI/gpt-4o-mini", "openai", "gpt-4o-mini")]
    [InlineData("mock/echo", "mock", "echo")]
    [InlineData("gpt-4o-mini", "openai", "gpt-4o-mini")]
    [InlineData("claude-3-opus", "anthropic", "claude-3-opus")]
    [InlineData("mistral-large", "mistral", "mistral-large")]
    [InlineData("GEMINI-2.5-FLASH", "gemini", "GEMINI-2.5-FLASH")]
    [InlineData("openai/some-new-model", "openai", "some-new-model")]
    public void A_model_resolves_to_its_vendor(string model, string provider, string vendorModel) =>
        Assert.Equal((provider, vendorModel), Create().Resolve(model));

    [Theory]
    [InlineData("gpt-5-preview", "The catalog knows no model 'gpt-5-preview'")]
    [InlineData("foo/bar", "'foo/bar' names no known provider")]
    [InlineData("openai/", "names no model after the provider")]
    public void A_name_that_cannot_be_placed_is_refused_on_the_model_field_with_the_forms_that_work(string model, string message)
    {
        var error = Assert.Throws<ProxyException>(() => Create().Resolve(model));
        Assert.Equal((400, "model"), (error.Status, error.Param));
        Assert.Contains(message, error.Message);
        Assert.Contains("openai/gpt-4o-mini", error.Message);
    }

    [Fact]
    public void The_default_provider_takes_names_no_catalog_lists()
    {
        Assert.Equal(("openai", "gpt-5-preview"), Create(defaultProvider: "openai").Resolve("gpt-5-preview"));
        // A name only another vendor lists still goes to that vendor.
        Assert.Equal(("anthropic", "claude-haiku-4-5"), Create(defaultProvider: "openai").Resolve("claude-haiku-4-5"));
    }

    [Fact]
    public void A_name_several_vendors_list_needs_the_default_provider_or_a_prefix()
    {
        var both = new Dictionary<string, Dictionary<string, ModelSettings>> { ["deepseek"] = new() { ["gpt-4o-mini"] = new() } };

        var error = Assert.Throws<ProxyException>(() => Create(models: both).Resolve("gpt-4o-mini"));
        Assert.Equal("model", error.Param);
        Assert.Contains("\"deepseek/gpt-4o-mini\" or \"openai/gpt-4o-mini\"", error.Message);

        Assert.Equal(("openai", "gpt-4o-mini"), Create("openai", both).Resolve("gpt-4o-mini"));
        Assert.Equal(("deepseek", "gpt-4o-mini"), Create("DeepSeek", both).Resolve("gpt-4o-mini"));
        // A default that lists no such model does not settle it.
        Assert.Throws<ProxyException>(() => Create("anthropic", both).Resolve("gpt-4o-mini"));
    }

    private sealed class NamedVendor(string name) : IChatProvider
    {
        public string Name => name;
        public bool IsConfigured => false;
        public Task<Core.Chat.ChatCompletion> CompleteAsync(Core.Chat.ChatRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
        public IAsyncEnumerable<Core.Chat.ChatCompletionChunk> StreamAsync(Core.Chat.ChatRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
