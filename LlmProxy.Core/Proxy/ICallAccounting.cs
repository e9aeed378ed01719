using LlmProxy.Core.Storage;
using LlmProxy.Core.Usage;

namespace LlmProxy.Core.Proxy;

/// <summary>What the usage publisher and the request log take from a finished call, whatever its kind (chat, embeddings).</summary>
internal interface ICallAccounting
{
    /// <summary>The quota reservation the call's event settles; released here if the event cannot be published.</summary>
    QuotaReservation? Reservation { get; }

    /// <summary>The call's one usage event; null if it was already taken.</summary>
    UsageEvent? TakeEvent();

    /// <summary>The request as the log keeps it (JSON): a chat's messages, an embeddings call's texts.</summary>
    string RequestBody();

    /// <summary>The answer as the log keeps it: the text the caller received, or a summary where there is no text.</summary>
    string ResponseText { get; }

    /// <summary>Time from admission to the first streamed chunk; null for whole answers.</summary>
    long? TimeToFirstChunkMs { get; }

    /// <summary>The vendor's id for its answer, when it gives one.</summary>
    string? VendorResponseId { get; }

    /// <summary>The id of the key the call came with (a platform key acts for many tenants).</summary>
    string? KeyId { get; }
}
