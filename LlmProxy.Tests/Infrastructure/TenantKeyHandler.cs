using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using Microsoft.AspNetCore.WebUtilities;

namespace LlmProxy.Tests.Infrastructure;

/// <summary>Puts the key of the tenant a request names on it, so tests read like the calls a tenant's backend makes.</summary>
internal sealed class TenantKeyHandler(ProxyHost host) : DelegatingHandler(new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is null && !request.Headers.Contains("x-api-key"))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await host.KeyForAsync(await TenantOfAsync(request)));
        return await base.SendAsync(request, cancellationToken);
    }

    private static async Task<string> TenantOfAsync(HttpRequestMessage request)
    {
        string? tenant = null;
        if (request.RequestUri is { } uri && QueryHelpers.ParseQuery(uri.IsAbsoluteUri ? uri.Query : new Uri(new Uri("http://x"), uri).Query).TryGetValue("tenantId", out var query))
            tenant = query.ToString();
        if (tenant is null && request.Content is { } content)
        {
            try
            {
                tenant = JsonNode.Parse(await content.ReadAsStringAsync())?["tenantId"]?.GetValue<string>();
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
            {
                // Not a JSON object with a string tenantId: the default tenant is calling.
            }
        }
        if (tenant is null) return ProxyHost.DefaultTenant;
        try
        {
            RequestValidator.CheckId(tenant, "tenantId");
            return tenant;
        }
        catch (ProxyException)
        {
            return ProxyHost.DefaultTenant;
        }
    }
}
