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

    /// <summary>Must match the queue name in the RecordUsage trigger.</summary>
    [Required]
    public string QueueName { get; set; } = UsageQueueNames.Events;
}

public static class UsageQueueNames
{
    public const string Events = "usage-events";
    public const string Poison = "usage-events-poison";
}
