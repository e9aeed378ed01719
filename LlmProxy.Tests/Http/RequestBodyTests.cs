using LlmProxy.Core.Errors;
using LlmProxy.Functions.Http;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Http;

/// <summary>Both ways a body arrives: with a Content-Length (read into one exact array) and chunked (no length).</summary>
public sealed class RequestBodyTests
{
    private static HttpRequest Request(byte[] body, bool withLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body);
        if (withLength) context.Request.ContentLength = body.Length;
        return context.Request;
    }

    private static byte[] Bytes(int count) => Enumerable.Range(0, count).Select(i => (byte)(i % 251)).ToArray();

    [Theory]
    [InlineData(true, 0)]
    [InlineData(true, 100)]
    [InlineData(false, 0)]
    [InlineData(false, 100)]
    [InlineData(false, 40_000)]
    public async Task The_whole_body_is_read(bool withLength, int size)
    {
        var body = Bytes(size);

        var read = await RequestBody.ReadAsync(Request(body, withLength), 64_000, TestContext.Current.CancellationToken);

        Assert.Equal(body, read);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_limit_is_refused_with_413(bool withLength)
    {
        var error = await Assert.ThrowsAsync<ProxyException>(() =>
            RequestBody.ReadAsync(Request(Bytes(40_000), withLength), 20_000, TestContext.Current.CancellationToken));

        Assert.Equal(413, error.Status);
        Assert.Equal(ErrorTypes.RequestTooLarge, error.Type);
    }
}
