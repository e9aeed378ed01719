using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Buffers;
using LlmProxy.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Functions.Http;

/// <summary>Reads a request body whole, refusing with 413 before reading more than the configured limit.</summary>
public static class RequestBody
{
    private const int ChunkBytes = 16 * 1024;

    public static async Task<byte[]> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length)
        {
            if (length > maxBytes) throw TooLarge(maxBytes);
            // The server ends the body at Content-Length, so one exact-size array is all a read costs: this runs on
            // every call, and a scratch buffer plus a growing copy used to be the largest allocation per request.
            var body = new byte[length];
            await request.Body.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
            return body;
        }

        using var buffer = new MemoryStream(4096);
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk.AsMemory(0, ChunkBytes), cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// A small JSON object body as <typeparamref name="T"/>; null when the body is empty. Malformed JSON, wrong
    /// types and unknown fields (where <typeparamref name="T"/> disallows them) are a 400 that shows <paramref name="example"/>.
    /// </summary>
    public static async Task<T?> ReadJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, long maxBytes, string example) where T : class
    {
        var body = await ReadAsync(request, maxBytes, request.HttpContext.RequestAborted).ConfigureAwait(false);
        if (body.Length == 0) return null;
        try
        {
            return JsonSerializer.Deserialize(body, typeInfo) ?? throw ProxyException.BadRequest($"The body must be a JSON object such as {example}.");
        }
        catch (JsonException e)
        {
            throw ProxyException.BadRequest($"The body must be a JSON object such as {example}: {e.Message}", e.Path?.TrimStart('$', '.'));
        }
    }

    private static ProxyException TooLarge(long maxBytes) =>
        new(413, ErrorTypes.RequestTooLarge, $"The request body is larger than the limit of {maxBytes} bytes.");
}
