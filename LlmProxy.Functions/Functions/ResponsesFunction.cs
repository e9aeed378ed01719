using LlmProxy.Core.Auth;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Responses;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Functions.Functions;

/// <summary>
/// OpenAI Responses-compatible front door: <c>POST /v1/responses</c> with <c>model</c> as <c>provider/model</c>, so
/// clients built on the Responses API (the OpenAI SDKs' <c>responses</c>, the Vercel AI SDK's <c>openai(model)</c>)
/// can use the proxy by changing their base URL. Every vendor, OpenAI included, is translated through the same pipeline.
/// </summary>
public sealed class ResponsesFunction(CallerAuthenticator authenticator, RequestReader reader, ProxyService proxy, IOptions<ProxyOptions> options,
    TimeProvider clock, ILogger<ResponsesFunction> log)
{
    [Function("Responses")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/responses")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            System.Text.Json.Nodes.JsonObject? body = null;
            var (outcome, _) = await FrontDoor.RunAsync(request, authenticator, proxy, options.Value.MaxRequestBodyBytes, (bytes, caller) =>
            {
                (var call, body) = reader.ReadResponses(bytes, caller.TenantFor(request.Headers[CallerIdentity.TenantHeader].FirstOrDefault()));
                return call;
            });
            return new ResponsesOutcomeResult(outcome, new ResponseEnvelope(body!, ResponseEnvelope.NewId("resp"), clock.GetUtcNow()));
        });
}
