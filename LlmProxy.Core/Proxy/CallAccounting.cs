using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Serialization;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Usage;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// Collects what one call used and builds its single usage event. Vendor-reported usage wins; without it
/// (a stream cut short) the proxy counts the prompt and the text it forwarded and marks the figures estimated.
/// The cost comes from the price book's prices for the model that answered, per kind of token; unpriced models have
/// no cost, not zero.
/// </summary>
internal sealed class CallAccounting(ProxyCall call, string provider, QuotaReservation? reservation, TokenEstimator tokens, TimeProvider clock, ModelInfo? pricing)
    : ICallAccounting
{
    private ProxyCall _call = call;
    private string _provider = provider;
    private ModelInfo? _pricing = pricing;

    private readonly long _started = clock.GetTimestamp();
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();
    private readonly StringBuilder _streamedText = new();
    private int _published;
    private long? _firstChunkAt;
    private ChatCompletion? _whole;

    public ChatUsage? VendorUsage { get; private set; }
    public QuotaReservation? Reservation => reservation;
    public string Status { get; private set; } = UsageStatuses.ClientClosed;
    public int HttpStatus { get; private set; } = 499;
    public string? Error { get; private set; }

    /// <summary>The answer came from the response cache, not the vendor.</summary>
    public bool Cached { get; init; }

    public ProxyCall Call => _call;

    /// <summary>The vendor's id for its answer (<c>chatcmpl-…</c>, <c>msg_…</c>), for the request log.</summary>
    public string? VendorResponseId { get; private set; }

    public string? KeyId => _call.KeyId;

    /// <summary>Time from admission to the first streamed chunk; null for whole answers.</summary>
    public long? TimeToFirstChunkMs => _firstChunkAt is { } at ? (long)clock.GetElapsedTime(_started, at).TotalMilliseconds : null;

    public string RequestBody() => JsonSerializer.Serialize(_call.Request.Messages ?? [], ProxyJsonContext.Default.IReadOnlyListChatMessage);

    /// <summary>The answer text as the caller received it (whole, or what was streamed so far); built only when asked for.</summary>
    public string ResponseText => _whole is { } whole
        ? string.Join("\n", whole.Choices.Select(c => c.Message.Content?.JoinedText()))
        : _streamedText.ToString();

    /// <summary>A fallback vendor takes over the call: the event names the one that answered, with its price.</summary>
    public void Retarget(ProxyCall fallback, string fallbackProvider, ModelInfo? fallbackPricing)
    {
        _call = fallback;
        _provider = fallbackProvider;
        _pricing = fallbackPricing;
    }

    public void Observe(ChatCompletionChunk chunk)
    {
        if (_firstChunkAt is null)
        {
            _firstChunkAt = clock.GetTimestamp();
            VendorResponseId = chunk.Id;
        }
        if (chunk.Usage is { } usage) VendorUsage = usage;
        // Indexed: a foreach over the interface would box an enumerator for every chunk.
        var choices = chunk.Choices;
        for (var i = 0; i < choices.Count; i++)
        {
            var choice = choices[i];
            if (choice.Delta.Content is { } content) _streamedText.Append(content);
            if (choice.Delta.ReasoningContent is { } reasoning) _streamedText.Append(reasoning);
        }
    }

    public void Succeeded(ChatCompletion completion)
    {
        VendorResponseId = completion.Id;
        _whole = completion;
        Succeeded(completion.Usage);
    }

    public void Succeeded(ChatUsage? usage)
    {
        if (usage is not null) VendorUsage = usage;
        Status = UsageStatuses.Ok;
        HttpStatus = 200;
    }

    public void Failed(ProxyException error)
    {
        Status = error.Provider is null ? UsageStatuses.Error : UsageStatuses.VendorError;
        HttpStatus = error.Status;
        Error = error.Message;
    }

    public void Failed(Exception error)
    {
        Status = UsageStatuses.Error;
        HttpStatus = 500;
        Error = error.GetType().Name;
    }

    /// <summary>Usage to report at the end of a stream that carried none.</summary>
    public ChatUsage EstimatedUsage() =>
        ChatUsage.Of(tokens.CountPrompt(_call.Request.Messages ?? []), tokens.CountText(_streamedText.ToString()));

    /// <summary>The call's one usage event; null if it was already taken.</summary>
    public UsageEvent? TakeEvent()
    {
        if (Interlocked.Exchange(ref _published, 1) == 1) return null;
        var usage = VendorUsage;
        var estimated = usage is null;
        if (usage is null)
        {
            // A call refused before any vendor work used nothing; one cut short used its prompt and what was streamed.
            usage = Status == UsageStatuses.Ok || Status == UsageStatuses.ClientClosed || _streamedText.Length > 0
                ? EstimatedUsage()
                : ChatUsage.Of(0, 0);
        }
        return new UsageEvent
        {
            Id = _call.RequestId ?? Guid.CreateVersion7(_startedAt).ToString("N"),
            TenantId = _call.TenantId,
            UserId = _call.UserId,
            // The key whose budget holds the reservation is charged when the event is recorded.
            KeyId = reservation?.KeyId,
            Provider = _provider,
            Model = _call.Model,
            PromptTokens = usage.PromptTokens,
            CompletionTokens = usage.CompletionTokens,
            CachedPromptTokens = usage.CachedPromptTokens,
            CacheWriteTokens = usage.CacheWriteTokens,
            ReasoningTokens = usage.ReasoningTokens,
            Estimated = estimated,
            LatencyMs = (long)clock.GetElapsedTime(_started).TotalMilliseconds,
            Status = Status,
            HttpStatus = HttpStatus,
            Stream = _call.Stream,
            Cached = Cached,
            Error = Error,
            CostUsd = _pricing?.Prices?.CostOf(usage),
            Timestamp = _startedAt,
            ReservationId = reservation?.Id,
            ReservedTokens = reservation?.Tokens ?? 0,
        };
    }
}
