using System.Globalization;
using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Storage.Tables;

/// <summary>
/// Partition and row keys of the one proxy table. Everything of a tenant lives in the tenant's partition, so an
/// event, its counters and its reservation change together in one entity-group transaction. Row keys are
/// <c>kind|...</c>; see docs/architecture.md for the full layout.
/// </summary>
public static class TableKeys
{
    public const string CounterPrefix = "c|";
    public const string ReservationPrefix = "r|";
    public const string EventPrefix = "e|";
    public const string AuditPrefix = "a|";

    /// <summary>
    /// An id as a key part. Table Storage forbids <c>/ \ # ?</c> and control characters in keys, so ids holding
    /// them are refused (the front door refuses them first); <c>|</c> (our separator) and <c>%</c> are escaped.
    /// </summary>
    public static string Id(string id)
    {
        foreach (var c in id)
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
                throw new ArgumentException($"The id '{id}' holds a character Table Storage does not allow in keys (/ \\ # ? or a control character).", nameof(id));
        return id.Replace("%", "%25", StringComparison.Ordinal).Replace("|", "%7C", StringComparison.Ordinal);
    }

    public static string Partition(string tenantId) => Id(tenantId);

    /// <summary>A scope's counter of a period: <c>c|{period}|t</c>, <c>c|{period}|u|{userId}</c> or <c>c|{period}|k|{keyId}</c>.</summary>
    public static string Counter(string periodKey, QuotaScope scope) => $"{CounterPrefix}{periodKey}|{ScopePart(scope)}";

    public static string Override(QuotaScope scope) => "o|" + ScopePart(scope);

    private static string ScopePart(QuotaScope scope) =>
        scope.KeyId is { } keyId ? $"k|{Id(keyId)}" : scope.UserId is { } userId ? $"u|{Id(userId)}" : "t";

    public static string Reservation(string reservationId) => ReservationPrefix + Id(reservationId);

    public static string Event(string eventId) => EventPrefix + Id(eventId);

    public static string RateWindow(string? userId) => userId is null ? "w|t" : $"w|u|{Id(userId)}";

    /// <summary>Audit rows sort newest first: the key holds the ticks left until the end of time.</summary>
    public static string Audit(DateTimeOffset at, string id) =>
        AuditPrefix + (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "|" + Id(id);

    /// <summary>The first key after every key that starts with <paramref name="prefix"/>, for range queries.</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    public static string Day(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
