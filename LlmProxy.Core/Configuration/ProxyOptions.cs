using System.ComponentModel.DataAnnotations;

namespace LlmProxy.Core.Configuration;

/// <summary>Front-door settings (section <c>LlmProxy</c>).</summary>
public sealed class ProxyOptions
{
    public const string Section = "LlmProxy";

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    [Range(1024, 100L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>User used when a call names none.</summary>
    [Required, MaxLength(128)]
    public string DefaultUserId { get; set; } = "anonymous";

    /// <summary>
    /// When a call names a vendor whose API key is not set, answer with the built-in mock vendor instead of
    /// refusing. Unset means: on in the Development environment, off everywhere else.
    /// </summary>
    public bool? MockUnconfiguredProviders { get; set; }

    /// <summary>
    /// The vendor of a bare model name (<c>"model": "gpt-4o-mini"</c> on <c>/v1</c>) that several vendors' catalogs
    /// list, or that no catalog lists. Unset: such a name is refused with the <c>provider/model</c> forms to use.
    /// </summary>
    [MaxLength(64)]
    public string? DefaultProvider { get; set; }
}
