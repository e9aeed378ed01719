using System.ComponentModel.DataAnnotations;

namespace LlmProxy.Core.Admin;

/// <summary>Section <c>LlmProxy:Admin</c>.</summary>
public sealed class AdminOptions : IValidatableObject
{
    public const string Section = "LlmProxy:Admin";

    /// <summary>Shortest admin key the host starts with: a key to type from memory is a key to guess.</summary>
    public const int MinKeyLength = 32;

    /// <summary>Key for the <c>api/admin/...</c> routes, sent as <c>X-Admin-Key</c>. Unset: the admin API is closed.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long a dashboard session lasts after sign-in; it is not extended by use.</summary>
    [Range(1, 1440)]
    public int SessionMinutes { get; set; } = 30;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(ApiKey) && ApiKey.Length < MinKeyLength)
            yield return new ValidationResult(
                $"{Section}:{nameof(ApiKey)} must be at least {MinKeyLength} characters (a random one: openssl rand -base64 48), or unset to close the admin API.",
                [nameof(ApiKey)]);
    }
}
