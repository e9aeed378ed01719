using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Deployment;

/// <summary>What infra/main.bicep must offer beyond settings: the plans, the runtime the build targets, the identity's roles.</summary>
public sealed partial class MainBicepTests
{
    private static readonly BicepTemplate Bicep = BicepTemplate.Main;

    [Fact]
    public void Plans_are_Flex_Consumption_by_default_or_Elastic_Premium_and_never_legacy_Consumption()
    {
        var allowed = PlanParameter().Match(Bicep.Text);
        Assert.True(allowed.Success, "main.bicep has no @allowed list for param planSku.");
        var skus = Regex.Matches(allowed.Groups["allowed"].Value, "'([^']+)'").Select(m => m.Groups[1].Value);
        Assert.Equal(["FC1", "EP1", "EP2", "EP3"], skus);
        Assert.Equal("FC1", allowed.Groups["default"].Value);
        // Linux Consumption buffers HTTP responses, which breaks streaming; nothing may select it.
        Assert.DoesNotContain("'Y1'", Bicep.Text);
        Assert.DoesNotContain("'Dynamic'", Bicep.Text);
    }

    [Fact]
    public void The_runtime_version_is_the_one_the_Functions_project_targets()
    {
        var runtimeConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.FunctionsOutput, "LlmProxy.Functions.runtimeconfig.json")))!;
        var version = runtimeConfig["runtimeOptions"]!["tfm"]!.GetValue<string>().Replace("net", "", StringComparison.Ordinal);
        Assert.Matches(@"^\d+\.\d+$", version);
        Assert.Contains($"name: 'dotnet-isolated'\n            version: '{version}'", Bicep.Text);
        Assert.Contains($"'DOTNET-ISOLATED|{version}'", Bicep.Text);
    }

    [Fact]
    public void The_managed_identity_gets_the_data_roles_it_needs_and_no_more()
    {
        Assert.Equal(new Dictionary<string, string>
        {
            ["storageBlobDataOwner"] = "'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'",
            ["storageQueueDataContributor"] = "'974c5e8b-45b9-4653-ba55-5f855dd0fb88'",
            ["storageTableDataContributor"] = "'0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'",
            ["keyVaultSecretsUser"] = "'4633458b-17de-408a-b874-0445c86b69e6'",
            ["monitoringMetricsPublisher"] = "'3913510d-42f4-4e42-8a64-420c390055eb'",
        }, Bicep.ObjectVariable("roles"));
        // Host state lives in blobs, usage events in the queue, the store in tables: the account-level data roles.
        Assert.Equal(["roles.storageBlobDataOwner", "roles.storageQueueDataContributor", "roles.storageTableDataContributor"], Bicep.ArrayVariable("storageRoles"));
        Assert.Contains("scope: vault\n  properties: {\n    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)", Bicep.Text);
        Assert.Contains("scope: appInsights\n  properties: {\n    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)", Bicep.Text);
        // The storage loop, Key Vault, Application Insights and the optional Azure OpenAI account: four role assignments, all to the app's identity.
        Assert.Equal(4, Regex.Count(Bicep.Text, "principalId: app.identity.principalId"));
        Assert.Contains("module azureOpenAIUser 'modules/openai-user.bicep' = if (!empty(azureOpenAIAccountName)) {\n  name: 'openai-user-${suffix}'\n  scope: resourceGroup(azureOpenAIResourceGroup)", Bicep.Text);
        // Cognitive Services OpenAI User: inference calls only; no keys, no deployments.
        var module = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "infra", "modules", "openai-user.bicep")).ReplaceLineEndings("\n");
        Assert.Contains("var cognitiveServicesOpenAIUser = '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'", module);
        Assert.Contains("scope: account\n  properties: {\n    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cognitiveServicesOpenAIUser)", module);
        Assert.Contains("type: 'SystemAssigned'", Bicep.Text);
    }

    [Fact]
    public void Platform_CORS_is_off_and_the_allowed_origins_go_to_the_apps_own_CORS_setting()
    {
        // The platform answers CORS before the worker runs and overrides the app's headers, among them the per-key
        // answer for publishable keys, so its list stays empty and the origins become LlmProxy:Cors settings.
        Assert.Contains("cors: {\n        allowedOrigins: []\n      }", Bicep.Text);
        Assert.DoesNotContain("allowedOrigins: allowedOrigins", Bicep.Text);
        Assert.Contains("'LlmProxy__Cors__AllowedOrigins__${i}'", Bicep.Text);
    }

    [GeneratedRegex(@"@allowed\(\[(?<allowed>[^\]]*)\]\)\s*param planSku string = '(?<default>[^']+)'")]
    private static partial Regex PlanParameter();
}
