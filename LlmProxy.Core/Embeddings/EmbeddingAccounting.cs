using System.Text.Json;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Serialization;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Usage;

namespace LlmProxy.Core.Embeddings;

/// <summary>
/// Collects what one embeddings call used and builds its single usage event. Every vendor call that answered is
/// billed by the vendor, so its tokens count even when a later call of the same request fails. Vendor-reported
/// tokens win; a vendor that reports none (Gemini) is counted with the proxy's tokenizer and the event is marked
/// estimated. Nothing is generated: completion tokens are always 0.
/// </summary>
internal sealed class EmbeddingAccounting(EmbeddingCall call, string provider, QuotaReservation? reservation, TokenEstimator tokens, TimeProvider clock, ModelInfo? pricing)
    : ICallAccounting
{
    private readonly long _started = clock.GetTimestamp();
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();
    private int _published;
    private int _promptTokens;
    private bool _estimated;
    private EmbeddingList? _answer;

    public QuotaReservation? Reservation => reservation;
    public string Status { get; private set; } = UsageStatuses.ClientClosed;
    public int HttpStatus { get; private set; } = 499;
    public string? Error { get; private set; }

    /// <summary>The answer came from the response cache, not the vendor.</summary>
    public bool Cached { get; init; }

    public long? TimeToFirstChunkMs => null;
    public string? VendorResponseId => null;
    public string? KeyId => call.KeyId;

    /// <summary>One vendor call answered for <paramref name="inputs"/>.</summary>
    /// <param name="reportedTokens">What the vendor says it billed; null when it says nothing.</param>
    public void Billed(IReadOnlyList<string> inputs, int? reportedTokens)
    {
        if (reportedTokens is { } reported)
        {
            _promptTokens += reported;
            return;
        }
        _estimated = true;
        foreach (var input in inputs) _promptTokens += tokens.CountText(input);
    }

    public void Succeeded(EmbeddingList answer)
    {
        _answer = answer;
        Status = UsageStatuses.Ok;
        HttpStatus = 200;
    }

    /// <summary>A cached answer: the tokens the vendor billed when it was first made.</summary>
    public void Replayed(EmbeddingList answer)
    {
        _promptTokens = answer.Usage?.PromptTokens ?? 0;
        Succeeded(answer);
    }

    public void Failed(Exception error)
    {
        if (error is OperationCanceledException) return;
        var known = error as ProxyException;
        Status = known is null ? UsageStatuses.Error : known.Provider is null ? UsageStatuses.Error : UsageStatuses.VendorError;
        HttpStatus = known?.Status ?? 500;
        Error = known?.Message ?? error.GetType().Name;
    }

    public int PromptTokens => _promptTokens;

    public string RequestBody() => JsonSerializer.Serialize(call.Inputs, ProxyJsonContext.Default.IReadOnlyListString);

    public string ResponseText => _answer is { } answer
        ? $"{answer.Data.Count} embeddings of {answer.Data.FirstOrDefault()?.Embedding.Values.Length ?? 0} dimensions"
        : "";

    public UsageEvent? TakeEvent()
    {
        if (Interlocked.Exchange(ref _published, 1) == 1) return null;
        return new UsageEvent
        {
            Id = call.RequestId ?? Guid.CreateVersion7(_startedAt).ToString("N"),
            TenantId = call.TenantId,
            UserId = call.UserId,
            Provider = provider,
            Model = call.Model,
            PromptTokens = _promptTokens,
            CompletionTokens = 0,
            Estimated = _estimated,
            LatencyMs = (long)clock.GetElapsedTime(_started).TotalMilliseconds,
            Status = Status,
            HttpStatus = HttpStatus,
            Stream = false,
            Cached = Cached,
            Error = Error,
            CostUsd = pricing?.Prices?.CostOf(ChatUsage.Of(_promptTokens, 0)),
            Timestamp = _startedAt,
            ReservationId = reservation?.Id,
            ReservedTokens = reservation?.Tokens ?? 0,
        };
    }
}
