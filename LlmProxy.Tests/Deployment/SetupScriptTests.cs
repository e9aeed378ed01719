using System.Text.RegularExpressions;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Deployment;

/// <summary>What the setup scripts install on a fresh machine: the browser suites' Chromium and nothing of a desktop around it.</summary>
public sealed partial class SetupScriptTests
{
    private static IEnumerable<(string Script, string Line)> AptInstalls() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "scripts"), "*.sh", SearchOption.AllDirectories)
            .SelectMany(script => File.ReadAllLines(script).Select(line => (Script: Path.GetRelativePath(RepositoryPaths.Root, script), Line: line)))
            .Where(l => AptInstall().IsMatch(l.Line));

    [Fact]
    public void Chromium_is_installed_in_one_place_without_its_recommended_desktop_packages()
    {
        // Chromium's recommends are a desktop (avahi, cups helpers, upower, python3, perl, ...): on an empty Debian 12
        // system apt installs 399 packages for it with them, 239 without.
        var chromium = AptInstalls().Where(l => l.Line.Contains("chromium", StringComparison.Ordinal)).ToList();

        var only = Assert.Single(chromium);
        Assert.Contains("--no-install-recommends", only.Line);
    }

    [GeneratedRegex(@"apt-get\s+install\b")]
    private static partial Regex AptInstall();
}
