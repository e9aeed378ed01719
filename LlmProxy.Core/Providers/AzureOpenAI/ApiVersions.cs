using System.Text.RegularExpressions;

namespace LlmProxy.Core.Providers.AzureOpenAI;

/// <summary>Azure's dated API versions (<c>2024-10-21</c>, <c>2025-04-01-preview</c>): checked at start-up, so the setting cannot bend the URL.</summary>
internal static partial class ApiVersions
{
    public static bool IsDated(string version) => Dated().IsMatch(version);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(-preview)?\z")]
    private static partial Regex Dated();
}
