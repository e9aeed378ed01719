namespace LlmProxy.Tests.Infrastructure;

/// <summary>Finds files of the repository and of the Functions build from the test's own output folder.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary><c>Debug</c> or <c>Release</c>, whichever the tests were built in.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string FunctionsOutput => Path.Combine(Root, "LlmProxy.Functions", "bin", Configuration, "net10.0");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LlmProxy.slnx"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (LlmProxy.slnx) was not found above " + AppContext.BaseDirectory);
    }
}
