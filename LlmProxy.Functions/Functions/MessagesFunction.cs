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
/// Anthropic-compatible front door: <c>POST /v1/messages</c> with Anthropic's body, headers, SSE events and errors, so
/// the Anthropic SDKs can use the proxy by changing their base URL. <c>anthropic/&lt;model&gt;</c> or a bare
/// <c>claude-…</c> name passes through to Anthropic; <c>&lt;provider&gt;/&lt;model&gt;</c> is translated for that vendor.
/// </summary>
public sealed class MessagesFunction(CallerAuthenticator authenticator, RequestReader reader, ProxyService proxy, IOptions<ProxyOptions> options, ILogger<MessagesFunction> log)
{
    [Function("Messages")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/messages")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            var (outcome, call) = await FrontDoor.RunAsync(request, authenticator, proxy, options.Value.MaxRequestBodyBytes,
                (body, caller) => reader.ReadMessages(body, caller.TenantFor(request.Headers[CallerIdentity.TenantHeader].FirstOrDefault()),
                    request.Headers["anthropic-beta"].ToString()));
            return new MessagesOutcomeResult(outcome, $"{call.Provider}/{call.Model}");
        }, ErrorResults.AnthropicFrom);
}
