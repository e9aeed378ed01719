using LlmProxy.Core.Auth;
using LlmProxy.Core.Auth.EndUsers;
using LlmProxy.Core.Serialization;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Functions.Functions;

/// <summary>
/// <c>POST /api/tokens</c>: a tenant's backend, with its secret key, gets a short-lived end-user token for one of its
/// users, which a web page then presents on <c>POST /api/llm-proxy</c>.
/// </summary>
public sealed class EndUserTokensFunction(CallerAuthenticator authenticator, EndUserTokenService tokens, ILogger<EndUserTokensFunction> log)
{
    private const string Example = "{\"userId\":\"ana\",\"expiresInSeconds\":900,\"limits\":{\"tokenLimit\":20000,\"requestsPerMinute\":10},\"allowedModels\":[\"openai/gpt-4o-mini\"]}";

    [Function("IssueEndUserToken")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/tokens")] HttpRequest request) =>
        ErrorResults.GuardAsync(log, async () =>
        {
            var caller = await authenticator.AuthenticateAsync(request);
            var body = await RequestBody.ReadJsonAsync(request, ProxyDocumentsJsonContext.Default.NewEndUserToken, 16 * 1024, Example);
            var issued = tokens.Issue(caller, body ?? new NewEndUserToken());
            // A credential: no cache along the way may keep it.
            return new JsonBodyResult<IssuedEndUserToken>(issued, ProxyDocumentsJsonContext.Default.IssuedEndUserToken) { Headers = { ["Cache-Control"] = "no-store" } };
        });
}
