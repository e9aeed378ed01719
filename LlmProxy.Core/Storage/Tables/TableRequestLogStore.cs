using System.Globalization;
using Azure;
using Azure.Data.Tables;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.RequestLog;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Storage.Tables;

/// <summary>
/// The request log in its own table (<see cref="StoreOptions.RequestLogTableName"/>). An entry is a row in its
/// tenant's partition under RowKey <c>{inverted ticks:D19}|{id}</c>, so a partition reads newest first and a time
/// range is a RowKey range; plus an index row <c>i|{bucket}</c> / <c>{id}</c> naming that row, for the point read by
/// id. A query without a tenant scans the table with a filter on <c>At</c>: an admin view, not a hot path.
/// </summary>
public sealed class TableRequestLogStore(AzureStorageClients clients, IOptions<StoreOptions> options)
    : TableBackedStore(clients.Table(options.Value.Connection, options.Value.RequestLogTableName)), IRequestLogStore
{
    private const int MaxLimit = 1000;
    private const string IndexPartitionPrefix = "i|";

    /// <summary>The earliest instant Table Storage can store; as a lower bound it keeps the index rows (no <c>At</c>) out of scans.</summary>
    private static readonly DateTimeOffset Earliest = new(1601, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] MetadataColumns =
    [
        "Id", "TenantId", "UserId", "Provider", "Model", "Status", "HttpStatus", "Stream", "Cached", "PromptTokens",
        "CompletionTokens", "LatencyMs", "TimeToFirstTokenMs", "VendorRequestId", "Error", "BodiesTruncated", "At",
        "CachedPromptTokens", "CacheWriteTokens", "ReasoningTokens", "CostUsd", "KeyId",
    ];

    /// <summary>
    /// The index row first, claiming the id: a repeat of the id finds it taken and writes nothing (unless the
    /// index row points at exactly this entry's row, which a failure between the two writes may have left
    /// missing). A failure in between leaves only an index row pointing nowhere, which reads as "not found".
    /// </summary>
    public async Task AddAsync(RequestLogEntry entry, CancellationToken cancellationToken)
    {
        entry = StoredBodies.Fit(entry);
        var partition = TableKeys.Partition(entry.TenantId);
        var rowKey = RowKey(entry.Timestamp, entry.Id);
        var index = new TableEntity(IndexPartition(entry.Id), TableKeys.Id(entry.Id)) { ["Partition"] = partition, ["Row"] = rowKey };
        try
        {
            await Table.AddEntityAsync(index, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var existing = await FindAsync(index.PartitionKey, index.RowKey, cancellationToken).ConfigureAwait(false);
            if (existing?.GetString("Partition") != partition || existing.GetString("Row") != rowKey) return;
        }
        try
        {
            await Table.AddEntityAsync(ToEntity(partition, rowKey, entry), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
        }
    }

    /// <summary>
    /// A batch's entries written side by side: each is two round trips of its own (index row, then entry) and no two
    /// share a row, so written one after the other a batch of hundreds took as many sequential round trips, and a
    /// host stopping under load could not drain its log within the shutdown timeout.
    /// </summary>
    public Task AddManyAsync(IReadOnlyList<RequestLogEntry> entries, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentWrites, CancellationToken = cancellationToken },
            async (entry, token) => await AddAsync(entry, token).ConfigureAwait(false));

    private const int ConcurrentWrites = 8;

    public async Task<IReadOnlyList<RequestLogEntry>> QueryAsync(RequestLogQuery query, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(query.Limit, 1, MaxLimit);
        var filters = new List<string>();
        if (query.TenantId is { } tenant)
        {
            // Newer rows have smaller keys: At >= From is a key below From's, At < To a key from just after To's.
            filters.Add(TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Partition(tenant)}"));
            if (query.From is { } from) filters.Add(TableClient.CreateQueryFilter($"RowKey lt {Inverted(from, 1)}"));
            if (query.To is { } to) filters.Add(TableClient.CreateQueryFilter($"RowKey ge {Inverted(to, 1)}"));
        }
        else
        {
            filters.Add(TableClient.CreateQueryFilter($"At ge {query.From ?? Earliest}"));
            if (query.To is { } to) filters.Add(TableClient.CreateQueryFilter($"At lt {to}"));
        }
        if (query.UserId is { } user) filters.Add(TableClient.CreateQueryFilter($"UserId eq {user}"));
        if (query.Provider is { } provider) filters.Add(TableClient.CreateQueryFilter($"Provider eq {provider}"));
        if (query.Model is { } model) filters.Add(TableClient.CreateQueryFilter($"Model eq {model}"));
        if (query.Status is { } status) filters.Add(TableClient.CreateQueryFilter($"Status eq {status}"));
        if (query.Cached is { } cached) filters.Add(TableClient.CreateQueryFilter($"Cached eq {cached}"));

        // The newest `limit` seen so far, oldest on top, so a scan of any length holds at most `limit` entries.
        var newest = new PriorityQueue<RequestLogEntry, RequestLogEntry>(limit + 1, NewerLast);
        var read = 0;
        await foreach (var row in Table.QueryAsync<TableEntity>(string.Join(" and ", filters), select: MetadataColumns, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.GetString("Id") is null) continue;
            var entry = FromEntity(row);
            newest.Enqueue(entry, entry);
            if (newest.Count > limit) newest.Dequeue();
            // One partition comes back newest first, so it can stop early; a scan across partitions cannot.
            if (query.TenantId is not null && ++read == limit) break;
        }
        var entries = new List<RequestLogEntry>(newest.Count);
        while (newest.TryDequeue(out var entry, out _)) entries.Add(entry);
        entries.Reverse();
        return entries;
    }

    /// <summary>Orders entries as the log lists them reversed: older first, and of equal times the smaller id first.</summary>
    private static readonly Comparer<RequestLogEntry> NewerLast = Comparer<RequestLogEntry>.Create((a, b) =>
    {
        var byTime = a.Timestamp.CompareTo(b.Timestamp);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Id, b.Id);
    });

    public async Task<RequestLogEntry?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (await FindAsync(IndexPartition(id), TableKeys.Id(id), cancellationToken).ConfigureAwait(false) is not { } index) return null;
        var row = await FindAsync(index.GetString("Partition"), index.GetString("Row"), cancellationToken).ConfigureAwait(false);
        return row is null ? null : FromEntity(row) with { RequestBody = row.GetString("RequestBody"), ResponseBody = row.GetString("ResponseBody") };
    }

    /// <summary>
    /// Scans for old rows by <c>At</c> and deletes their index rows before the rows themselves: a failure in between
    /// leaves rows that the next run finds again, never index rows that nothing would find.
    /// </summary>
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var filter = TableClient.CreateQueryFilter($"At ge {Earliest} and At lt {cutoff}");
        // Page by page, so that a large backlog is never held in memory at once.
        await foreach (var page in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", "Id"], cancellationToken: cancellationToken).AsPages().ConfigureAwait(false))
        {
            // Entries never change once written, so they are deleted whatever their ETag.
            foreach (var row in page.Values) row.ETag = ETag.All;
            var indexes = page.Values.Select(r => new TableEntity(IndexPartition(r.GetString("Id")), TableKeys.Id(r.GetString("Id"))) { ETag = ETag.All });
            await DeleteAsync(indexes, cancellationToken).ConfigureAwait(false);
            deleted += await DeleteAsync(page.Values, cancellationToken).ConfigureAwait(false);
        }
        return deleted;
    }

    private static string IndexPartition(string id) => IndexPartitionPrefix + Bucket(id);

    private static string RowKey(DateTimeOffset timestamp, string id) => Inverted(timestamp, 0) + "|" + TableKeys.Id(id);

    /// <summary>Ticks counted back from the end of time, fixed width, so that later instants sort first.</summary>
    private static string Inverted(DateTimeOffset instant, long offset) =>
        (DateTime.MaxValue.Ticks - instant.UtcTicks + offset).ToString("D19", CultureInfo.InvariantCulture);

    private static TableEntity ToEntity(string partition, string rowKey, RequestLogEntry entry)
    {
        var row = new TableEntity(partition, rowKey)
        {
            ["Id"] = entry.Id,
            ["TenantId"] = entry.TenantId,
            ["UserId"] = entry.UserId,
            ["Provider"] = entry.Provider,
            ["Model"] = entry.Model,
            ["Status"] = entry.Status,
            ["HttpStatus"] = entry.HttpStatus,
            ["Stream"] = entry.Stream,
            ["Cached"] = entry.Cached,
            ["PromptTokens"] = entry.PromptTokens,
            ["CompletionTokens"] = entry.CompletionTokens,
            ["CachedPromptTokens"] = entry.CachedPromptTokens,
            ["CacheWriteTokens"] = entry.CacheWriteTokens,
            ["ReasoningTokens"] = entry.ReasoningTokens,
            ["LatencyMs"] = entry.LatencyMs,
            ["BodiesTruncated"] = entry.BodiesTruncated,
            ["At"] = entry.Timestamp,
        };
        // Absent rather than null: Table Storage keeps no type for a null.
        if (entry.TimeToFirstTokenMs is { } ttft) row["TimeToFirstTokenMs"] = ttft;
        if (entry.VendorRequestId is { } vendorId) row["VendorRequestId"] = vendorId;
        if (entry.KeyId is { } keyId) row["KeyId"] = keyId;
        if (entry.Error is { } error) row["Error"] = error;
        // Table Storage has no decimal type; a double is exact enough for a log line (budgets count in nano-dollars).
        if (entry.CostUsd is { } cost) row["CostUsd"] = (double)cost;
        if (entry.RequestBody is { } request) row["RequestBody"] = request;
        if (entry.ResponseBody is { } response) row["ResponseBody"] = response;
        return row;
    }

    private static RequestLogEntry FromEntity(TableEntity row) => new()
    {
        Id = row.GetString("Id"),
        TenantId = row.GetString("TenantId"),
        UserId = row.GetString("UserId"),
        Provider = row.GetString("Provider"),
        Model = row.GetString("Model"),
        Status = row.GetString("Status"),
        HttpStatus = row.GetInt32("HttpStatus") ?? 0,
        Stream = row.GetBoolean("Stream") ?? false,
        Cached = row.GetBoolean("Cached") ?? false,
        PromptTokens = row.GetInt32("PromptTokens") ?? 0,
        CompletionTokens = row.GetInt32("CompletionTokens") ?? 0,
        CachedPromptTokens = row.GetInt32("CachedPromptTokens") ?? 0,
        CacheWriteTokens = row.GetInt32("CacheWriteTokens") ?? 0,
        ReasoningTokens = row.GetInt32("ReasoningTokens") ?? 0,
        CostUsd = row.GetDouble("CostUsd") is { } cost ? (decimal)cost : null,
        LatencyMs = row.GetInt64("LatencyMs") ?? 0,
        TimeToFirstTokenMs = row.GetInt64("TimeToFirstTokenMs"),
        VendorRequestId = row.GetString("VendorRequestId"),
        KeyId = row.GetString("KeyId"),
        Error = row.GetString("Error"),
        BodiesTruncated = row.GetBoolean("BodiesTruncated") ?? false,
        Timestamp = row.GetDateTimeOffset("At") ?? default,
    };
}
