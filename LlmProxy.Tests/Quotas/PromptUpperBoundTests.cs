using LlmProxy.Core.Chat;
using LlmProxy.Core.Usage;

namespace LlmProxy.Tests.Quotas;

/// <summary>The reservation's prompt figure must never fall short of a real tokenizer's count, whatever the script.</summary>
public sealed class PromptUpperBoundTests
{
    [Theory]
    [InlineData("Improve this paragraph so that it reads well and keeps its meaning.")]
    [InlineData("Este es un texto de ejemplo que será mejorado usando IA.")]
    [InlineData("这是一个示例文本，将使用人工智能进行改进。日本語のテキストも含まれています。")]
    [InlineData("1234567890 9876543210 3.14159265358979 2026-11-26T12:00:00Z")]
    [InlineData("😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘")]
    [InlineData("aGVsbG8gd29ybGQhIHRoaXMgaXMgYmFzZTY0IGVuY29kZWQgdGV4dCBmb3IgdGVzdGluZw==")]
    [InlineData("    indented\n\tcode();\n    return x => x * 2;   // comment")]
    public void The_upper_bound_is_at_least_the_o200k_count(string text)
    {
        var messages = new[]
        {
            new ChatMessage { Role = "system", Content = MessageContent.FromText("You are terse.") },
            new ChatMessage { Role = "user", Content = MessageContent.FromText(text), Name = "ana" },
        };
        var exact = new TokenEstimator().CountPrompt(messages);
        Assert.InRange(TokenEstimator.PromptUpperBound(messages), exact, int.MaxValue);
    }

    [Fact]
    public void The_upper_bound_counts_every_text_part_and_the_framing()
    {
        var parts = MessageContent.FromParts([
            new ContentPart { Type = ContentPartTypes.Text, Text = "abc" },
            new ContentPart { Type = ContentPartTypes.Text, Text = "ñ" },
        ]);
        // 3 for the reply, 3 for the message, "abc\nñ" is 6 UTF-8 bytes.
        Assert.Equal(12, TokenEstimator.PromptUpperBound([new ChatMessage { Role = "user", Content = parts }]));
    }
}
