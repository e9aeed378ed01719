using System.Text.RegularExpressions;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Deployment;

/// <summary>
/// Reads the literal variables of <c>infra/main.bicep</c> that the tests check: the app-settings objects and the
/// name arrays. A line-based reader is enough because the template keeps each entry on its own line; a variable
/// that is missing or written another way fails the test that asks for it.
/// </summary>
internal sealed partial class BicepTemplate(string text)
{
    public static BicepTemplate Main { get; } = new(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "infra", "main.bicep")));

    public string Text { get; } = text;

    /// <summary>Entries of <c>var {name} = { ... }</c>: key to the value's source text.</summary>
    public IReadOnlyDictionary<string, string> ObjectVariable(string name)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Body(name, '{', '}'))
        {
            var match = EntryPattern().Match(line);
            if (match.Success) entries.Add(match.Groups["key"].Value, match.Groups["value"].Value.Trim());
        }
        return entries;
    }

    /// <summary>Items of <c>var {name} = [ ... ]</c>, one per line: string literals unquoted, expressions as written.</summary>
    public IReadOnlyList<string> ArrayVariable(string name) =>
        Body(name, '[', ']').Select(line => line.Trim()).Where(item => item.Length > 0)
            .Select(item => StringItemPattern().Match(item) is { Success: true } literal ? literal.Groups[1].Value : item).ToList();

    /// <summary>The lines at depth one inside the variable's brackets.</summary>
    private IEnumerable<string> Body(string name, char open, char close)
    {
        var lines = Text.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd() == $"var {name} = {open}");
        if (start < 0) throw new InvalidOperationException($"main.bicep has no 'var {name} = {open}'.");
        var depth = 1;
        foreach (var line in lines.Skip(start + 1))
        {
            if (depth == 1 && line.Trim() == close.ToString()) yield break;
            if (depth == 1) yield return line;
            // Interpolations (${...}) open and close on the same line, so counting every bracket stays balanced.
            depth += line.Count(c => c is '{' or '[' or '(') - line.Count(c => c is '}' or ']' or ')');
        }
        throw new InvalidOperationException($"main.bicep: 'var {name}' is not closed.");
    }

    [GeneratedRegex(@"^\s*'?(?<key>[A-Za-z0-9_]+)'?\s*:\s*(?<value>.+)$")]
    private static partial Regex EntryPattern();

    [GeneratedRegex(@"^'([^']*)'$")]
    private static partial Regex StringItemPattern();
}
