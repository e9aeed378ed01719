using LlmProxy.Core.Auth;
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
/// <c>GET /v1/models</c>: every <c>provider/model</c> in the catalog, its <c>kind</c> (chat or embedding), whether its
/// vendor is configured, and its context window, vision flag and prices; <c>GET /v1/models/{id}</c>: one of them (the
/// SDKs' <c>models.retrieve</c>). For tenants (a tenant key, as OpenAI's SDKs send when they list models): which
/// vendors are configured is not for everyone to read.
/// </summary>
public sealed class ModelsFunction(ModelListing models, CallerAuthenticator authenticator, ILogger<ModelsFunction> log)
{
    [Function("Models")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/models")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await authenticator.AuthenticateAsync(request);
            return new JsonBodyResult<ChatModelList>(models.List(), ProxyJsonContext.Default.ChatModelList);
        });

    private const string OneRoute = "v1/models/";

    /// <summary>A catch-all id, so that <c>mock/echo</c> works sent as it is or URL-encoded; read from the path, as both hosts give it.</summary>
    [Function("Model")]
    public Task<IActionResult> One([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OneRoute + "{*id}")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            await authenticator.AuthenticateAsync(request);
            return new JsonBodyResult<ChatModelInfo>(models.Find((request.Path.Value ?? "")[(OneRoute.Length + 1)..]), ProxyJsonContext.Default.ChatModelInfo);
        });
}
