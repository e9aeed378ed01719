using System.Net;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Auth.Publishable;

/// <summary>
/// Counts a publishable key's call per client address (before its body is read, so malformed or oversized bodies
/// count too), then holds the call to what the element sends, counts it per end user and hands the key's own budget
/// to the pipeline, where it is reserved together with the tenant's and user's quotas. Secret keys pass untouched.
/// </summary>
public sealed class PublishableKeyGate(RateLimiter rateLimiter, QuotaLimits limits, IOptions<PublishableKeyOptions> options)
{
    /// <summary>
    /// The per-address window, which a page rotating its userId cannot escape; a 429 <c>rate_limit_exceeded</c> when full.
    /// </summary>
    /// <param name="remote">The connection's peer address.</param>
    /// <param name="forwardedFor">The request's <c>X-Forwarded-For</c>, heeded only with <see cref="PublishableKeyOptions.TrustForwardedFor"/>.</param>
    public async Task CountAddressAsync(CallerIdentity caller, IPAddress? remote, string? forwardedFor, CancellationToken cancellationToken)
    {
        if (caller.Publishable is not { } policy) return;
        var settings = options.Value;
        var clientAddress = ClientAddress.Resolve(remote, forwardedFor, settings.TrustForwardedFor);
        await rateLimiter.AcquireExtraAsync(Group(caller.KeyId, "ip"), clientAddress,
            policy.RequestsPerMinutePerIp ?? settings.DefaultRequestsPerMinutePerIp, $"Address {clientAddress} on this key", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The call as it may go on (with <c>max_tokens</c> filled in and the key's budget attached), counted in its user's
    /// window. A key without a budget of its own works only while its tenant has a finite limit (403 otherwise): a
    /// limit removed after the key was made must not open the tenant's wallet to every holder of the page.
    /// </summary>
    public async Task<ProxyCall> AdmitAsync(CallerIdentity caller, ProxyCall call, CancellationToken cancellationToken)
    {
        if (caller.Publishable is not { } policy) return call;
        var settings = options.Value;
        call = Bound(policy, call, settings);
        var budget = policy.Budget(caller.KeyId);
        if (budget is null && !(await limits.ForAsync(QuotaScope.Tenant(call.TenantId), cancellationToken).ConfigureAwait(false)).LimitsUsage)
            throw new ProxyException(403, ErrorTypes.PermissionDenied,
                $"This publishable key has no budget of its own and tenant '{call.TenantId}' has no limit; an operator can create a key with 'costLimitUsd' or 'tokenLimit'.");
        await rateLimiter.AcquireExtraAsync(Group(caller.KeyId, "user"), call.UserId,
            policy.RequestsPerMinutePerUser ?? settings.DefaultRequestsPerMinutePerUser, $"User '{call.UserId}' on this key", cancellationToken).ConfigureAwait(false);
        return call with { KeyBudget = budget };
    }

    /// <summary>The first field beyond the element's call shape: tools, formats, or any field the proxy does not model.</summary>
    private static string? FirstVendorOption(ChatRequest request) =>
        request.Tools is not null ? "tools"
        : request.ToolChoice is not null ? "tool_choice"
        : request.ParallelToolCalls is not null ? "parallel_tool_calls"
        : request.ResponseFormat is not null ? "response_format"
        : request.AdditionalProperties?.Keys.FirstOrDefault();

    /// <summary>Tenant ids never hold '|' (<see cref="RequestValidator.CheckTenantId"/>), so these groups never meet a real tenant's windows.</summary>
    private static string Group(string keyId, string kind) => $"pk|{keyId}|{kind}";

    private static ProxyCall Bound(PublishableKeyPolicy policy, ProxyCall call, PublishableKeyOptions settings)
    {
        var request = call.Request;
        if (!call.Stream) throw ProxyException.BadRequest("A publishable key's call must stream (\"stream\": true), as the element does.", "stream");
        if (FirstVendorOption(request) is { } option)
            throw ProxyException.BadRequest($"A publishable key's call may not send '{option}' (no tools, formats or other vendor options).", option);
        if (request.N is > 1) throw ProxyException.BadRequest("A publishable key's call asks for one answer ('n' at most 1).", "n");
        if (!policy.AllowsModel(call.Provider, call.Model))
            throw new ProxyException(403, ErrorTypes.PermissionDenied, $"This publishable key may not call '{call.Provider}/{call.Model}'.", "model");

        var messages = request.Messages!;
        if (messages.Count > settings.MaxMessages) throw ProxyException.BadRequest($"A publishable key's call may send at most {settings.MaxMessages} messages.", "messages");
        var characters = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Role is not (ChatRoles.System or ChatRoles.User) || message.ToolCalls is not null || message.ToolCallId is not null)
                throw ProxyException.BadRequest("A publishable key's call sends only system and user messages, without tool calls.", $"messages[{i}]");
            if (message.Content?.Parts?.Any(p => p.Type != ContentPartTypes.Text) == true)
                throw ProxyException.BadRequest("A publishable key's call sends text only (no images).", $"messages[{i}].content");
            characters += message.Content?.JoinedText().Length ?? 0;
        }
        if (characters > settings.MaxInputChars)
            throw ProxyException.BadRequest($"A publishable key's call may send at most {settings.MaxInputChars} characters of text; this one has {characters}.", "messages");

        if (request.RequestedMaxTokens is { } asked)
            return asked <= settings.MaxTokens ? call : throw ProxyException.BadRequest($"A publishable key's call may ask for at most {settings.MaxTokens} tokens.", "max_tokens");
        // A page that names no budget gets the cap, so the vendor never writes more than a publishable key allows.
        return call with { Request = request with { MaxTokens = settings.MaxTokens } };
    }
}
