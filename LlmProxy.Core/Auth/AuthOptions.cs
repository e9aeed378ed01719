using System.ComponentModel.DataAnnotations;

namespace LlmProxy.Core.Auth;

/// <summary>Caller authentication (section <c>LlmProxy:Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "LlmProxy:Auth";

    /// <summary>
    /// A fixed tenant key accepted only in the Development environment, so a first local run needs no set-up.
    /// Ignored in every other environment, whatever its value.
    /// </summary>
    public string? DevelopmentKey { get; set; } = "lp-dev-local-key";

    /// <summary>The tenant the development key belongs to.</summary>
    [Required, MaxLength(128)]
    public string DevelopmentTenantId { get; set; } = "default";

    /// <summary>How long a looked-up tenant key is trusted before the store is asked again (bounds how late a revocation bites).</summary>
    [Range(0, 3600)]
    public int KeyCacheSeconds { get; set; } = 10;
}

