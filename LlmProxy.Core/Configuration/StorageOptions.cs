using System.ComponentModel.DataAnnotations;

namespace LlmProxy.Core.Configuration;

public enum StoreKind { Sqlite, Tables }

public enum UsageQueueKind { InProcess, StorageQueue }

/// <summary>Where counters, usage and settings live (section <c>LlmProxy:Store</c>).</summary>
public sealed class StoreOptions
{
    public const string Section = "LlmProxy:Store";

    public StoreKind Kind { get; set; } = StoreKind.Sqlite;

    /// <summary>SQLite database file; relative paths are relative to the working directory.</summary>
    [Required]
    public string SqlitePath { get; set; } = Path.Combine("data", "llmproxy.db");

    /// <summary>Tables only: name of the storage connection setting (a connection string, or <c>{name}__accountName</c> for managed identity).</summary>
    [Required]
    public string Connection { get; set; } = "AzureWebJobsStorage";

    /// <summary>Tables only: the one table that holds counters, reservations, usage, overrides and request windows.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "LlmProxy:Store:TableName must be 3-63 letters and digits, starting with a letter.")]
    public string TableName { get; set; } = "llmproxy";

    /// <summary>Tables only: tenant API keys (hashed).</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "LlmProxy:Store:KeysTableName must be 3-63 letters and digits, starting with a letter.")]
    public string KeysTableName { get; set; } = "llmproxykeys";

    /// <summary>Tables only: the response cache.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "LlmProxy:Store:CacheTableName must be 3-63 letters and digits, starting with a letter.")]
    public string CacheTableName { get; set; } = "llmproxycache";

    /// <summary>Tables only: the request log.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "LlmProxy:Store:RequestLogTableName must be 3-63 letters and digits, starting with a letter.")]
    public string RequestLogTableName { get; set; } = "llmproxylog";
}

/// <summary>How usage events travel to the recorder (section <c>LlmProxy:UsageQueue</c>).</summary>
public sealed class UsageQueueOptions
{
    public const string Section = "LlmProxy:UsageQueue";

    /// <summary>Unset: StorageQueue under the Functions host, InProcess in the standalone host.</summary>
    public UsageQueueKind? Kind { get; set; }

    /// <summary>Name of the storage connection setting (a connection string, or <c>{name}__accountName</c> for managed identity).</summary>
    [Required]
    public string Connection { get; set; } = "AzureWebJobsStorage";

    /// <summary>Must match the queue name in the RecordUsage trigger. Poison messages go to <c>{QueueName}-poison</c>.</summary>
    [Required, RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,54}[a-z0-9]$", ErrorMessage = "LlmProxy:UsageQueue:QueueName must be a valid queue name of at most 56 characters.")]
    public string QueueName { get; set; } = UsageQueueNames.Events;

    /// <summary>Standalone consumer: deliveries before a message moves to the poison queue (host.json <c>maxDequeueCount</c>).</summary>
    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Standalone consumer: how long a failed message stays invisible before it is retried (host.json <c>visibilityTimeout</c>).</summary>
    [Range(0, 3600)]
    public int VisibilityTimeoutSeconds { get; set; } = 30;

    /// <summary>Standalone consumer: longest wait between polls of an empty queue (host.json <c>maxPollingInterval</c>).</summary>
    [Range(10, 60_000)]
    public int MaxPollingIntervalMs { get; set; } = 2000;

    public string PoisonQueueName => QueueName + "-poison";
}

public static class UsageQueueNames
{
    public const string Events = "usage-events";
    public const string Poison = "usage-events-poison";
}
