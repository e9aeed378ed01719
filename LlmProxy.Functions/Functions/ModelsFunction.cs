using LlmProxy.Core.Chat;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace LlmProxy.Functions.Functions;

/// <summary><c>GET /v1/models</c>: every <c>provider/model</c> the proxy knows, and whether its vendor is configured.</summary>
public sealed class ModelsFunction(ProviderRegistry providers)
{
    [Function("Models")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/models")] HttpRequest request)
    {
        var models = providers.All
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .SelectMany(p => p.KnownModels.Select(m => new ChatModelInfo
            {
                Id = $"{p.Name}/{m}",
                OwnedBy = p.Name,
                Configured = p.IsConfigured,
            }))
            .ToList();
        IActionResult result = new JsonBodyResult<ChatModelList>(new ChatModelList { Data = models }, ProxyJsonContext.Default.ChatModelList);
        return Task.FromResult(result);
    }
}
