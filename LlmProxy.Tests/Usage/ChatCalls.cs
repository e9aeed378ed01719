using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Usage;

/// <summary>Seed-style calls to the fake OpenAI vendor through the proxy, and whether the caller got the complete answer.</summary>
internal static class ChatCalls
{
    public static StringContent Body(string user, bool stream, int maxTokens = 100) => new($$"""
        {"provider":"openai","model":"gpt-4o-mini","tenantId":"acme","userId":"{{user}}","stream":{{(stream ? "true" : "false")}},
         "max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"Say something"}]}
        """, Encoding.UTF8, "application/json");

    /// <returns>The status, and whether a 200 carried the complete answer: the whole JSON answer, or the stream up to <c>[DONE]</c>.</returns>
    public static async Task<(HttpStatusCode Status, bool Complete, string Body)> CallAsync(HttpClient client, string user, bool stream, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy") { Content = Body(user, stream) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK || !stream)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var complete = response.StatusCode == HttpStatusCode.OK && JsonNode.Parse(text)?["choices"]?[0]?["message"]?["content"] is not null;
            return (response.StatusCode, complete, text);
        }
        await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var data in SseReader.DataAsync(content, cancellationToken))
            if (data == "[DONE]") return (response.StatusCode, true, "");
        return (response.StatusCode, false, "");
    }
}
