using LlmProxy.Core.Auth;
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
/// OpenAI-compatible front door: <c>POST /v1/chat/completions</c> with <c>model</c> as <c>provider/model</c>, so any
/// OpenAI SDK can use the proxy by changing its base URL.
/// </summary>
public sealed class ChatCompletionsFunction(CallerAuthenticator authenticator, RequestReader reader, ProxyService proxy, IOptions<ProxyOptions> options, ILogger<ChatCompletionsFunction> log)
{
    [Function("ChatCompletions")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/chat/completions")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, () =>
            FrontDoor.HandleAsync(request, authenticator, proxy, options.Value.MaxRequestBodyBytes, (body, caller) => reader.ReadOpenAICompatible(body, caller.TenantFor(request.Headers[CallerIdentity.TenantHeader].FirstOrDefault()))));
}
