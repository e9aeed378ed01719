namespace LlmProxy.Core.Providers;

/// <summary>
/// The vendor's own request id for one call (its <c>x-request-id</c>, or Anthropic's <c>request-id</c>), carried from
/// <see cref="VendorHttp"/> back to the front door of the same call without threading it through every adapter: the
/// front door begins a trace, the vendor response fills it in. With fallbacks, the last vendor asked wins.
/// </summary>
public sealed class VendorTrace
{
    private static readonly AsyncLocal<VendorTrace?> Current = new();

    public string? RequestId { get; private set; }

    /// <summary>A trace for the calls made from here on in this flow (an async method and what it awaits).</summary>
    public static VendorTrace Begin() => Current.Value = new VendorTrace();

    internal static void Record(HttpResponseMessage response)
    {
        if (Current.Value is not { } trace) return;
        foreach (var name in (ReadOnlySpan<string>)["x-request-id", "request-id"])
        {
            if (response.Headers.TryGetValues(name, out var values) && values.FirstOrDefault() is { Length: > 0 and <= 200 } id)
            {
                trace.RequestId = id;
                return;
            }
        }
    }
}
