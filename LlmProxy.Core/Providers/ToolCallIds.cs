using System.Security.Cryptography;
using System.Text;

namespace LlmProxy.Core.Providers;

/// <summary>
/// Tool-call ids a vendor does not accept (another vendor's, or ones the proxy made) are renamed for it. The new id
/// is derived from the old one, so an assistant's call and the tool result that answers it, renamed separately,
/// stay paired, and the same conversation sent twice renames alike.
/// </summary>
internal static class ToolCallIds
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary><paramref name="length"/> letters and digits derived from <paramref name="id"/> (SHA-256, base 62).</summary>
    public static string Alphanumeric(string id, int length)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(id), hash);
        var result = new char[length];
        for (var i = 0; i < length; i++) result[i] = Alphabet[hash[i] % Alphabet.Length];
        return new string(result);
    }
}
