using System.Net;
using System.Text.Json.Nodes;
using LlmProxy.Core.Admin;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Usage;

/// <summary>
/// The status endpoint as an operator's probe reads it (with the admin key <see cref="ProxyHost.TestAdminKey"/>, which
/// the host must have), for the usage outbox's figures.
/// </summary>
internal static class OutboxStatus
{
    /// <returns>The HTTP status (503 when degraded) and the body, which says why either way.</returns>
    public static async Task<(HttpStatusCode Status, JsonNode Body)> ReadAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/llm-proxy/status");
        request.Headers.Add(AdminKeyCheck.Header, ProxyHost.TestAdminKey);
        using var response = await client.SendAsync(request, cancellationToken);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!);
    }

    /// <summary>
    /// Polls the status until the outbox is empty: its relay removes an event just after delivering it, and neither a
    /// process nor the relay signals that moment to a caller. Bounded by 60 s.
    /// </summary>
    public static async Task WhenEmptyAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while ((await ReadAsync(client, timeout.Token)).Body["outbox"]!["events"]!.GetValue<long>() != 0)
            await Task.Delay(50, timeout.Token);
    }
}
