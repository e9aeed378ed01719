using LlmProxy.Core.Auth;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions;

/// <summary>
/// <c>GET /v1/models</c>: every <c>provider/model</c> in the catalog, its <c>type</c> (chat or embedding), whether its
/// vendor is configured, and its context window, vision flag and prices. For tenants (a tenant key, as OpenAI's SDKs
/// send when they list models): which vendors are configured is not for everyone to read.
/// </summary>
public sealed class ModelsFunction(ProviderRegistry providers, ModelCatalog catalog, CallerAuthenticator authenticator, ILogger<ModelsFunction> log)
{
    [Function("Models")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/models")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await authenticator.AuthenticateAsync(request);
            return List();
        });

    private IActionResult List()
    {
        var vendors = providers.All.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        var models = catalog.All
            .Where(m => vendors.ContainsKey(m.Provider))
            .Select(m => new ChatModelInfo
            {
                Id = $"{m.Provider}/{m.Model}",
                Kind = m.Type,
                OwnedBy = m.Provider,
                Configured = vendors[m.Provider].IsConfigured,
                ContextWindow = m.ContextWindow,
                Vision = m.Vision,
                InputPricePerMillion = m.Prices?.Input,
                OutputPricePerMillion = m.Prices?.Output,
                CachedInputPricePerMillion = m.Prices?.CachedInput,
                CacheWritePricePerMillion = m.Prices?.CacheWrite,
                ReasoningPricePerMillion = m.Prices?.Reasoning,
                PricesAsOf = m.Prices?.AsOf,
            })
            .ToList();
        return new JsonBodyResult<ChatModelList>(new ChatModelList { Data = models }, ProxyJsonContext.Default.ChatModelList);
    }
}
