using System.Text;
using LlmProxy.Core.Providers.Capabilities;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Tools;

/// <summary>docs/api.md's capability matrix is the code's table, cell for cell.</summary>
public sealed class CapabilityMatrixTests
{
    /// <summary>The matrix as docs/api.md must show it.</summary>
    private static string Matrix()
    {
        var text = new StringBuilder();
        text.Append("| feature | ").AppendJoin(" | ", VendorCapabilities.Vendors).Append(" |\n");
        text.Append("| --- |").Append(string.Concat(VendorCapabilities.Vendors.Select(_ => " --- |"))).Append('\n');
        foreach (var feature in Feature.All)
            text.Append("| ").Append(feature.Label).Append(" | ")
                .AppendJoin(" | ", VendorCapabilities.Vendors.Select(v => VendorCapabilities.Of(v, feature).ToString().ToLowerInvariant())).Append(" |\n");
        return text.ToString();
    }

    [Fact]
    public void Docs_show_the_capability_table_the_code_reads()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "api.md")).ReplaceLineEndings("\n");

        Assert.True(docs.Contains(Matrix(), StringComparison.Ordinal), "docs/api.md must contain exactly:\n" + Matrix());
    }

    [Fact]
    public void Every_refused_cell_says_why()
    {
        foreach (var vendor in VendorCapabilities.Vendors)
        foreach (var feature in Feature.All.Where(f => VendorCapabilities.Of(vendor, f) == Support.Refused))
            Assert.False(string.IsNullOrWhiteSpace(VendorCapabilities.ReasonRefused(vendor, feature)), $"{vendor} {feature.Label}");
    }
}
