using System.Text.Json;

namespace LlmProxy.Core.Serialization;

/// <summary>
/// Finds a JSON string whose <c>\u</c> escapes leave a lone UTF-16 surrogate (<c>"\ud800"</c>): valid JSON syntax but
/// no valid text, and .NET throws when such a string is read. The typed fields fail while the body is parsed, but the
/// fields the proxy reads later (the seed's own fields, unknown fields passed on to the vendor) would fail deep in the
/// pipeline as a 500; one look before parsing turns every such string into a 400.
/// </summary>
internal static class LoneSurrogates
{
    /// <param name="field">The last field name read before it, to point the caller near it.</param>
    public static bool Find(ReadOnlySpan<byte> json, out string? field)
    {
        field = null;
        // A surrogate can only come from an escape, and almost no body escapes anything.
        if (json.IndexOf("\\u"u8) < 0) return false;
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) continue;
                if (!reader.ValueIsEscaped)
                {
                    if (reader.TokenType == JsonTokenType.PropertyName) field = reader.GetString();
                    continue;
                }
                try
                {
                    var text = reader.GetString();
                    if (reader.TokenType == JsonTokenType.PropertyName) field = text;
                }
                catch (InvalidOperationException)
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed JSON: the deserializer that runs next says where.
        }
        return false;
    }
}
