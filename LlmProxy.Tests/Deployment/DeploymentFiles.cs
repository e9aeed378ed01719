using System.Text.Json.Nodes;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Deployment;

/// <summary>The deployment-facing files the drift tests compare: local.settings.json.example and the build's functions.metadata.</summary>
internal static class DeploymentFiles
{
    public static IReadOnlyDictionary<string, string?> LocalSettingsExample { get; } =
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "LlmProxy.Functions", "local.settings.json.example")))!["Values"]!
            .AsObject().ToDictionary(p => p.Key, p => p.Value?.ToString(), StringComparer.Ordinal);

    public static JsonArray FunctionsMetadata() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.FunctionsOutput, "functions.metadata")))!.AsArray();

    public static IEnumerable<JsonObject> Bindings() =>
        FunctionsMetadata().SelectMany(f => f!["bindings"]!.AsArray()).Select(b => b!.AsObject());
}
