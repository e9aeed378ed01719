using System.ComponentModel.DataAnnotations;

namespace LlmProxy.Core.RequestLog;

/// <summary>The detailed log of every call (section <c>LlmProxy:RequestLog</c>).</summary>
public sealed class RequestLogOptions
{
    public const string Section = "LlmProxy:RequestLog";

    public bool Enabled { get; set; } = true;

    /// <summary>Keep the request messages and the answer text; off keeps only the metadata.</summary>
    public bool StoreBodies { get; set; } = true;

    /// <summary>Each stored body is cut to this many UTF-8 bytes (Table Storage caps a property at 64 KiB).</summary>
    [Range(0, 60 * 1024)]
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Entries older than this are deleted by the housekeeping timer.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;
}
