using Microsoft.AspNetCore.Http;

namespace LlmProxy.Functions.RequestIds;

/// <summary>
/// The proxy's id for one request: sent back as <c>x-request-id</c> on every answer (what OpenAI SDKs show as the
/// request id) and used as the call's usage-event and request-log id, so an operator finds the call a user reports with
/// <c>GET /api/admin/requests/{id}</c>. Always made here, never taken from the caller: the usage recorder is idempotent
/// by this id, so a caller's choice could collide with another call's.
/// </summary>
public static class RequestId
{
    public const string Header = "x-request-id";

    /// <summary>The vendor's own request id for the call, for a support case with the vendor.</summary>
    public const string VendorHeader = "X-Vendor-Request-Id";

    private static readonly object Key = new();

    /// <summary>The request's id, made on first use (the middlewares make it before anything else runs).</summary>
    public static string Of(HttpContext context)
    {
        if (context.Items.TryGetValue(Key, out var known) && known is string id) return id;
        id = Guid.CreateVersion7().ToString("N");
        context.Items[Key] = id;
        return id;
    }

    /// <summary>Gives the request its id and puts it on the response, before the function writes anything.</summary>
    public static void Assign(HttpContext context) => context.Response.Headers[Header] = Of(context);
}
