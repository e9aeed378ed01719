using System.Security.Cryptography;

namespace LlmProxy.Functions.StaticAssets;

/// <summary>One file embedded in the assembly, with what serving it needs computed once.</summary>
public sealed record StaticAsset(string Name, byte[] Content, string ContentType)
{
    /// <summary>A strong validator: the start of the content's SHA-256, so it changes exactly when the bytes do.</summary>
    public string ETag { get; } = "\"" + Convert.ToBase64String(SHA256.HashData(Content).AsSpan(0, 18)).Replace('+', '-').Replace('/', '_') + "\"";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".html"] = "text/html; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    };

    public static string ContentTypeOf(string name) =>
        ContentTypes.TryGetValue(Path.GetExtension(name), out var type) ? type : "application/octet-stream";
}
