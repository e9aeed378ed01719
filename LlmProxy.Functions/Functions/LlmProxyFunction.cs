using LlmProxy.Core.Auth;
using LlmProxy.Core.Auth.Publishable;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Proxy;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Functions.Functions;

/// <summary>
/// The seed's front door: <c>POST /api/llm-proxy</c> with <c>{provider, model, messages, tenantId, userId, ...}</c>.
/// The one route that also takes publishable keys and end-user tokens, since it is the one the web component calls.
/// </summary>
public sealed class LlmProxyFunction(CallerAuthenticator authenticator, PublishableKeyGate publishableKeys, RequestReader reader, ProxyService proxy,
    IOptions<ProxyOptions> options, ILogger<LlmProxyFunction> log)
{
    [Function("LlmProxy")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/llm-proxy")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, () =>
            FrontDoor.HandleAsync(request, authenticator, proxy, options.Value.MaxRequestBodyBytes, (body, caller) => reader.ReadSeed(body, caller, request.Headers[CallerIdentity.TenantHeader].FirstOrDefault()), publishableKeys));
}
