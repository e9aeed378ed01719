using System.Text;
using System.Text.Json.Nodes;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// What the fake vendors answer for a text: a vector and a token count that depend on the text alone, so a test can
/// tell which text each returned vector belongs to. Components are multiples of 1/1024, exact in float32 and in JSON.
/// </summary>
public static class FakeEmbeddings
{
    public const int DefaultDimensions = 4;

    public static float[] Vector(string text, int dimensions = DefaultDimensions)
    {
        var seed = 0;
        foreach (var c in text) seed = unchecked(seed * 31 + c);
        var values = new float[dimensions];
        values[0] = text.Length;
        for (var i = 1; i < dimensions; i++) values[i] = (int)((uint)(seed + i * 7919) % 2048) / 1024f - 1f;
        return values;
    }

    /// <summary>About four bytes a token, never more tokens than bytes.</summary>
    public static int Tokens(string text) => Math.Max(1, (Encoding.UTF8.GetByteCount(text) + 3) / 4);

    public static JsonArray Array(float[] vector) => new([.. vector.Select(v => (JsonNode?)JsonValue.Create(v))]);

    /// <summary>The texts of an OpenAI-style <c>input</c>: a string or an array of strings; a rejection otherwise.</summary>
    public static List<string> Texts(JsonNode? input, int maxInputs)
    {
        List<string> texts = input switch
        {
            JsonValue value when value.TryGetValue<string>(out var one) => [one],
            JsonArray array when array.All(i => i is JsonValue v && v.TryGetValue<string>(out _)) => [.. array.Select(i => i!.GetValue<string>())],
            _ => throw new VendorRejection(400, "'input' : input must be a string or an array of strings"),
        };
        if (texts.Count is 0) throw new VendorRejection(400, "'input' : input must not be empty");
        if (texts.Count > maxInputs) throw new VendorRejection(400, $"'input' : maximum {maxInputs} inputs per request; got {texts.Count}");
        if (texts.Any(t => t.Length == 0)) throw new VendorRejection(400, "'input' : input cannot be an empty string");
        return texts;
    }
}
