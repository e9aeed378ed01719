using System.Text.Json;
using System.Text.Json.Serialization;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Providers.Images;

/// <summary>An image as Anthropic and Gemini take it inline: its media type and its data.</summary>
public sealed record InlineImage(string MediaType, Base64Data Data)
{
    public static bool IsDataUrl(string url) => url.StartsWith("data:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Splits a <c>data:image/png;base64,...</c> URL (already checked by the request validator) without copying its data.</summary>
    public static InlineImage FromDataUrl(string url)
    {
        var comma = url.IndexOf(',');
        if (!IsDataUrl(url) || comma < 0) throw ProxyException.BadRequest("An image data URL is malformed.");
        var mediaType = url[5..comma].Split(';')[0].ToLowerInvariant();
        return new InlineImage(mediaType, Base64Data.FromText(url.AsMemory(comma + 1)));
    }
}

/// <summary>
/// Image data on its way into a vendor request, written as a JSON base64 string only while the request is serialised.
/// A fetched image is held once, as its bytes (a base64 string of them would take 2.7 times their size, and used to be
/// held until the request was sent); a data URL's base64 stays a slice of the caller's own string.
/// </summary>
[JsonConverter(typeof(Base64DataConverter))]
public readonly struct Base64Data
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly ReadOnlyMemory<char> _text;

    private Base64Data(ReadOnlyMemory<byte> bytes, ReadOnlyMemory<char> text)
    {
        _bytes = bytes;
        _text = text;
    }

    public static Base64Data FromBytes(ReadOnlyMemory<byte> bytes) => new(bytes, default);

    /// <param name="base64">Text that is base64 already.</param>
    public static Base64Data FromText(ReadOnlyMemory<char> base64) => new(default, base64);

    /// <summary>The base64 text (for reading and tests; serialisation writes it without building this string).</summary>
    public override string ToString() => _text.IsEmpty ? Convert.ToBase64String(_bytes.Span) : _text.ToString();

    internal void WriteTo(Utf8JsonWriter writer)
    {
        if (_text.IsEmpty) writer.WriteBase64StringValue(_bytes.Span);
        else writer.WriteStringValue(_text.Span);
    }
}

internal sealed class Base64DataConverter : JsonConverter<Base64Data>
{
    public override Base64Data Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Base64Data.FromText((reader.GetString() ?? "").AsMemory());

    public override void Write(Utf8JsonWriter writer, Base64Data value, JsonSerializerOptions options) => value.WriteTo(writer);
}
