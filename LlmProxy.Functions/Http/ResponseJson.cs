using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmProxy.Functions.Http;

/// <summary>
/// How answers write JSON: readable text, not HTML-escaped (<c>'</c> stays <c>'</c>, not <c>\u0027</c>). Safe because
/// every answer is <c>application/json</c> or <c>text/event-stream</c> and is never placed into HTML; the dashboard
/// and the web component insert text with <c>textContent</c>. Control characters and lone surrogates stay escaped.
/// </summary>
internal static class ResponseJson
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
