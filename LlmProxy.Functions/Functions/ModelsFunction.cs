using LlmProxy.Core.Catalog;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions;

/// <summary>
/// <c>GET /v1/models</c>: every <c>provider/model</c> in the catalog, whether its vendor is configured, and its
/// context window, vision flag and prices; <c>GET /v1/models/{id}</c>: one of them (the SDKs' <c>models.retrieve</c>).
/// </summary>
public sealed class ModelsFunction(ModelListing models, ILogger<ModelsFunction> log)
{
    [Function("Models")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/models")] HttpRequest request) =>
        Task.FromResult<IActionResult>(new JsonBodyResult<ChatModelList>(models.List(), ProxyJsonContext.Default.ChatModelList));

    private const string OneRoute = "v1/models/";

    /// <summary>A catch-all id, so that <c>mock/echo</c> works sent as it is or URL-encoded; read from the path, as both hosts give it.</summary>
    [Function("Model")]
    public Task<IActionResult> One([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OneRoute + "{*id}")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, () => Task.FromResult<IActionResult>(new JsonBodyResult<ChatModelInfo>(
            models.Find((request.Path.Value ?? "")[(OneRoute.Length + 1)..]), ProxyJsonContext.Default.ChatModelInfo)));
}
