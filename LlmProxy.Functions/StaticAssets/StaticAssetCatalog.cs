using System.Reflection;

namespace LlmProxy.Functions.StaticAssets;

/// <summary>
/// The files embedded from <c>StaticAssets/Files/</c> (see the project file), by their path below that folder,
/// e.g. <c>js/ai-text-enhancer.umd.js</c>. Read once: the set is fixed at build time.
/// </summary>
public sealed class StaticAssetCatalog
{
    public const string ResourcePrefix = "StaticAssets/";

    private readonly Dictionary<string, StaticAsset> _assets;

    public StaticAssetCatalog() : this(typeof(StaticAssetCatalog).Assembly) { }

    public StaticAssetCatalog(Assembly assembly)
    {
        _assets = assembly.GetManifestResourceNames()
            .Where(n => n.Replace('\\', '/').StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => Load(assembly, n))
            .ToDictionary(a => a.Name, StringComparer.Ordinal);
    }

    public IEnumerable<string> Names => _assets.Keys;

    /// <summary>The asset at <paramref name="path"/>, or null; names are exact, so no path can climb out of the set.</summary>
    public StaticAsset? Find(string path) => _assets.GetValueOrDefault(path);

    private static StaticAsset Load(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var name = resource.Replace('\\', '/')[ResourcePrefix.Length..];
        return new StaticAsset(name, copy.ToArray(), StaticAsset.ContentTypeOf(name));
    }
}
