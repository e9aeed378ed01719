using System.Buffers;
using System.Text.Json;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Serialization;

namespace LlmProxy.Core.Caching;

/// <summary>
/// Keeps a stream for the response cache as it passes: each chunk is serialised into the cache entry's bytes at once,
/// and as soon as those pass <c>MaxEntryBytes</c> the capture lets go of them, so a stream too large to cache costs no
/// more memory than one that fits (about twice the cap, at most, while it is kept).
/// </summary>
internal sealed class CachedStreamCapture(Func<byte[], Task> store, int maxBytes)
{
    private ArrayBufferWriter<byte>? _bytes = new();
    private Utf8JsonWriter? _json;

    public void Add(ChatCompletionChunk chunk)
    {
        if (_bytes is null) return;
        if (_json is null)
        {
            _json = new Utf8JsonWriter(_bytes);
            _json.WriteStartArray();
        }
        JsonSerializer.Serialize(_json, chunk, ProxyJsonContext.Default.ChatCompletionChunk);
        _json.Flush();
        if (_bytes.WrittenCount > maxBytes) GiveUp();
    }

    /// <summary>Stores the whole stream (the cache refuses it if the closing bracket took it over); call only once the stream completed normally.</summary>
    public Task CompleteAsync()
    {
        if (_bytes is null || _json is null) return Task.CompletedTask;
        _json.WriteEndArray();
        _json.Flush();
        var payload = _bytes.WrittenSpan.ToArray();
        GiveUp();
        return store(payload);
    }

    private void GiveUp()
    {
        _json?.Dispose();
        _json = null;
        _bytes = null;
    }
}
