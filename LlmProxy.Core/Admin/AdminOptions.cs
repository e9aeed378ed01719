using System.ComponentModel.DataAnnotations;

namespace LlmProxy.Core.Admin;

/// <summary>Section <c>LlmProxy:Admin</c>.</summary>
public sealed class AdminOptions
{
    public const string Section = "LlmProxy:Admin";

    /// <summary>Key for the <c>api/admin/...</c> routes, sent as <c>X-Admin-Key</c>. Unset: the admin API is closed.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long a dashboard session lasts after sign-in; it is not extended by use.</summary>
    [Range(1, 1440)]
    public int SessionMinutes { get; set; } = 30;
}
