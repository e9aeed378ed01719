using LlmProxy.Core.Providers.Anthropic;
using LlmProxy.Core.Providers.Cohere;
using LlmProxy.Core.Providers.Gemini;

namespace LlmProxy.Tests.Vendors;

/// <summary>Each vendor's finish reasons map onto OpenAI's four.</summary>
public sealed class FinishReasonTests
{
    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("pause_turn", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("model_context_window_exceeded", "length")]
    [InlineData("tool_use", "tool_calls")]
    [InlineData("refusal", "content_filter")]
    public void Anthropic(string vendor, string canonical) => Assert.Equal(canonical, AnthropicProvider.FinishReason(vendor));

    [Theory]
    [InlineData("STOP", "stop")]
    [InlineData("OTHER", "stop")]
    [InlineData("MAX_TOKENS", "length")]
    [InlineData("SAFETY", "content_filter")]
    [InlineData("RECITATION", "content_filter")]
    [InlineData("PROHIBITED_CONTENT", "content_filter")]
    [InlineData("IMAGE_SAFETY", "content_filter")]
    public void Gemini(string vendor, string canonical) => Assert.Equal(canonical, GeminiProvider.FinishReason(vendor));

    [Theory]
    [InlineData("COMPLETE", "stop")]
    [InlineData("STOP_SEQUENCE", "stop")]
    [InlineData("MAX_TOKENS", "length")]
    [InlineData("TOOL_CALL", "tool_calls")]
    public void Cohere(string vendor, string canonical) => Assert.Equal(canonical, CohereProvider.FinishReason(vendor));
}
