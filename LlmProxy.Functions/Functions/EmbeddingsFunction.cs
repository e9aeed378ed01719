using LlmProxy.Core.Auth;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Embeddings;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using LlmProxy.Functions.RequestIds;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Functions.Functions;

/// <summary>
/// OpenAI-compatible embeddings: <c>POST /v1/embeddings</c> with <c>model</c> as <c>provider/model</c>. Secret keys
/// only (authenticated before the body is read); the same quotas, rate limits, cache and usage log as chat.
/// </summary>
public sealed class EmbeddingsFunction(CallerAuthenticator authenticator, EmbeddingReader reader, EmbeddingService embeddings,
    IOptions<ProxyOptions> options, ILogger<EmbeddingsFunction> log)
{
    [Function("Embeddings")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/embeddings")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            var aborted = request.HttpContext.RequestAborted;
            var caller = await authenticator.AuthenticateAsync(request);
            var body = await RequestBody.ReadAsync(request, options.Value.MaxRequestBodyBytes, aborted);
            var call = reader.Read(body, caller.TenantFor(request.Headers[CallerIdentity.TenantHeader].FirstOrDefault())) with
            {
                RequestId = RequestId.Of(request.HttpContext),
                KeyId = caller.KeyId,
            };
            if (Caller.SkipsCache(request)) call = call with { NoCache = true };
            var outcome = await embeddings.HandleAsync(call, aborted);
            var result = new JsonBodyResult<EmbeddingList>(outcome.Answer, ProxyJsonContext.Default.EmbeddingList);
            foreach (var (name, value) in outcome.Headers) result.Headers[name] = value;
            result.Headers["X-LlmProxy-Provider"] = outcome.Answer.Provider ?? call.Provider;
            return result;
        });
}
