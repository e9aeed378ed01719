using System.Text;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Caching;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Proxy;
using Microsoft.Extensions.Options;

namespace LlmProxy.Tests.Caching;

public sealed class CacheKeyTests
{
    private static readonly RequestReader Reader = new(Options.Create(new ProxyOptions()), new RequestValidator(), Clients.ModelNamesTests.Create());

    private static string Key(string body) => CacheKey.For(Reader.ReadSeed(Encoding.UTF8.GetBytes(body), new CallerIdentity(TenantOf(body), "test")));

    private static string TenantOf(string body) => System.Text.Json.Nodes.JsonNode.Parse(body)?["tenantId"]?.GetValue<string>() ?? "default";

    private const string Base = """{"provider":"openai","model":"gpt-4o-mini","tenantId":"acme","userId":"ana","temperature":0.2,"messages":[{"role":"user","content":"Hola"}]}""";

    [Fact]
    public void The_same_request_has_the_same_key_whoever_the_user_and_whatever_the_field_order()
    {
        Assert.Equal(Key(Base), Key(Base.Replace("\"ana\"", "\"bob\"")));
        Assert.Equal(
            Key("""{"provider":"openai","model":"m","logit_bias":{"1":2},"seed":1,"messages":[{"role":"user","content":"x"}],"response_format":{"type":"text"}}"""),
            Key("""{"response_format":{"type":"text"},"messages":[{"role":"user","content":"x"}],"seed":1,"logit_bias":{"1":2},"model":"m","provider":"openai"}"""));
    }

    [Theory]
    [InlineData("\"acme\"", "\"globex\"")]
    [InlineData("\"gpt-4o-mini\"", "\"gpt-4o\"")]
    [InlineData("\"openai\"", "\"mock\"")]
    [InlineData("0.2", "0.3")]
    [InlineData("\"Hola\"", "\"Adiós\"")]
    [InlineData("\"temperature\"", "\"stream\":true,\"temperature\"")]
    [InlineData("\"temperature\"", "\"max_tokens\":5,\"temperature\"")]
    [InlineData("\"temperature\"", "\"response_format\":{\"type\":\"json_object\"},\"temperature\"")]
    public void Tenant_vendor_model_stream_messages_and_every_parameter_change_the_key(string from, string to) =>
        Assert.NotEqual(Key(Base), Key(Base.Replace(from, to)));

    [Fact]
    public void Cache_false_in_the_body_is_a_bypass_that_is_not_forwarded_nor_part_of_the_key()
    {
        var bypass = Base.Replace("\"temperature\"", "\"cache\":false,\"temperature\"");

        var call = Reader.ReadSeed(Encoding.UTF8.GetBytes(bypass), new CallerIdentity("acme", "test"));
        Assert.True(call.NoCache);
        Assert.Null(call.Request.AdditionalProperties); // never forwarded to the vendor
        Assert.False(Reader.ReadSeed(Encoding.UTF8.GetBytes(Base), new CallerIdentity("acme", "test")).NoCache);
        Assert.Equal(Key(Base), Key(bypass));
    }
}
