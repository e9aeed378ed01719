using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Serialization;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Usage;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// Collects what one call is charged and builds its single usage event. Each attempt of the call (the named vendor,
/// then fallbacks) is charged what its vendor can have billed for it (<see cref="Charge"/>); the event carries the
/// sum. The cost comes from the price book's prices for each attempt's model, per kind of token; unpriced models
/// have no cost, not zero.
/// </summary>
internal sealed class CallAccounting(ProxyCall call, string provider, QuotaReservation? reservation, CallBound bound, TokenEstimator tokens, TimeProvider clock, ModelInfo? pricing)
    : ICallAccounting
{
    private ProxyCall _call = call;
    private string _provider = provider;
    private ModelInfo? _pricing = pricing;
    private CallBound _bound = bound;

    private readonly long _started = clock.GetTimestamp();
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();
    private readonly StringBuilder _streamedText = new();
    private readonly StringBuilder _streamedToolCalls = new();
    private int _published;
    private long? _firstChunkAt;
    private ChatCompletion? _whole;

    // The current attempt: whether its request may have reached the vendor, and the usage the vendor reported so far.
    private bool _sent;
    private ChatUsage? _partial;

    // What earlier attempts were charged (a fallback after an attempt the vendor may have billed).
    private ChatUsage _earlier = ChatUsage.Of(0, 0);
    private decimal? _earlierCost = 0m;
    private bool _earlierEstimated;
    private bool _earlierCharged;

    /// <summary>The usage the vendor reported for the whole answer (final figures, not <see cref="ChatCompletionChunk.PartialUsage"/>).</summary>
    public ChatUsage? VendorUsage { get; private set; }
    /// <summary>The call's reservation; grown before a fallback attempt that the reservation does not cover.</summary>
    public QuotaReservation? Reservation { get; set; } = reservation;
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

    /// <summary>The current attempt's request goes to the vendor: from here on the vendor may bill it.</summary>
    public void Sending() => _sent = true;

    /// <summary>
    /// A fallback vendor takes over the call: what the failed attempt may have been billed stays charged, and the event
    /// names the vendor that answers, with its price and the bound of its request.
    /// </summary>
    public void Retarget(ProxyCall fallback, string fallbackProvider, ModelInfo? fallbackPricing, CallBound fallbackBound)
    {
        var (usage, estimated) = Charge();
        if (usage.TotalTokens > 0)
        {
            _earlier = Sum(_earlier, usage);
            _earlierCost += _pricing?.Prices?.CostOf(usage);
            _earlierEstimated |= estimated;
            _earlierCharged = true;
        }
        (_call, _provider, _pricing, _bound) = (fallback, fallbackProvider, fallbackPricing, fallbackBound);
        (_sent, _partial, VendorUsage, Status, HttpStatus, Error) = (false, null, null, UsageStatuses.ClientClosed, 499, null);
    }

    public void Observe(ChatCompletionChunk chunk)
    {
        if (_firstChunkAt is null)
        {
            _firstChunkAt = clock.GetTimestamp();
            VendorResponseId = chunk.Id;
        }
        if (chunk.Usage is { } usage) VendorUsage = usage;
        if (chunk.PartialUsage is { } partial) _partial = partial;
        // Indexed: a foreach over the interface would box an enumerator for every chunk.
        var choices = chunk.Choices;
        for (var i = 0; i < choices.Count; i++)
        {
            var choice = choices[i];
            if (choice.Delta.Content is { } content) _streamedText.Append(content);
            if (choice.Delta.ReasoningContent is { } reasoning) _streamedText.Append(reasoning);
            if (choice.Delta.ToolCalls is { } calls)
                foreach (var call in calls) _streamedToolCalls.Append(call.Function?.Name).Append(call.Function?.Arguments);
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
        // An attempt that answered at all was processed by the vendor, whatever ended it.
        _sent &= error.VendorMayHaveBilled || Answered;
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

    /// <summary>
    /// What the current attempt is charged, and whether that is the proxy's figure rather than the vendor's report:
    /// <list type="bullet">
    /// <item>the vendor's reported usage of the whole answer, when it came;</item>
    /// <item>nothing when the request never reached the vendor, or the vendor refused it with an error status;</item>
    /// <item>otherwise the prompt — the vendor's reported input if it reported one, else the bound's prompt part — and
    /// the output: for an answer that began, the larger of the vendor's reported output so far and the o200k count of
    /// the output received (text, reasoning, tool calls); for a request that got no answer at all (a timeout, a
    /// caller that left a whole answer), the bound's output part, since the vendor may write the whole answer and
    /// bill it.</item>
    /// </list>
    /// </summary>
    public (ChatUsage Usage, bool Estimated) Charge()
    {
        if (VendorUsage is { } reported) return (reported, false);
        if (!_sent) return (ChatUsage.Of(0, 0), false);
        var prompt = _partial is { PromptTokens: > 0 } partial ? partial.PromptTokens : Tokens(_bound.PromptTokens);
        var output = Answered
            ? Math.Max(_partial?.CompletionTokens ?? 0, tokens.CountText(ResponseText) + tokens.CountText(ToolCallText))
            : Tokens(_bound.OutputTokens);
        return (ChatUsage.Of(prompt, output), true);
    }

    private bool Answered => _firstChunkAt is not null || _whole is not null;

    private string ToolCallText => _whole is { } whole
        ? string.Concat(whole.Choices.SelectMany(c => c.Message.ToolCalls ?? []).Select(t => t.Function?.Name + t.Function?.Arguments))
        : _streamedToolCalls.ToString();

    /// <summary>What the call has been charged so far, in tokens and dollars: earlier attempts and the current one.</summary>
    public (long Tokens, decimal CostUsd) Charged
    {
        get
        {
            var current = Charge().Usage;
            return ((_earlierCharged ? _earlier.TotalTokens : 0) + current.TotalTokens,
                (_earlierCharged ? _earlierCost ?? 0 : 0) + (_pricing?.Prices?.CostOf(current) ?? 0));
        }
    }

    private static int Tokens(long count) => (int)Math.Min(count, int.MaxValue);

    private static ChatUsage Sum(ChatUsage a, ChatUsage b) => ChatUsage.Of(a.PromptTokens + b.PromptTokens, a.CompletionTokens + b.CompletionTokens,
        a.CachedPromptTokens + b.CachedPromptTokens, a.CacheWriteTokens + b.CacheWriteTokens, a.ReasoningTokens + b.ReasoningTokens);

    /// <summary>The call's one usage event; null if it was already taken.</summary>
    public UsageEvent? TakeEvent()
    {
        if (Interlocked.Exchange(ref _published, 1) == 1) return null;
        var (current, estimated) = Charge();
        var usage = _earlierCharged ? Sum(_earlier, current) : current;
        var cost = _pricing?.Prices?.CostOf(current);
        return new UsageEvent
        {
            Id = _call.RequestId ?? Guid.CreateVersion7(_startedAt).ToString("N"),
            TenantId = _call.TenantId,
            UserId = _call.UserId,
            // The key whose budget holds the reservation is charged when the event is recorded.
            KeyId = Reservation?.KeyId,
            Provider = _provider,
            Model = _call.Model,
            PromptTokens = usage.PromptTokens,
            CompletionTokens = usage.CompletionTokens,
            CachedPromptTokens = usage.CachedPromptTokens,
            CacheWriteTokens = usage.CacheWriteTokens,
            ReasoningTokens = usage.ReasoningTokens,
            Estimated = estimated || _earlierEstimated,
            LatencyMs = (long)clock.GetElapsedTime(_started).TotalMilliseconds,
            Status = Status,
            HttpStatus = HttpStatus,
            Stream = _call.Stream,
            Cached = Cached,
            Error = Error,
            CostUsd = _earlierCharged ? _earlierCost + cost : cost,
            Timestamp = _startedAt,
            ReservationId = Reservation?.Id,
            ReservedTokens = Reservation?.Tokens ?? 0,
        };
    }
}
