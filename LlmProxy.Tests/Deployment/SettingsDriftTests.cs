using System.Text.RegularExpressions;
using LlmProxy.Core.Configuration;

namespace LlmProxy.Tests.Deployment;

/// <summary>
/// No drift between what the code binds, what infra/main.bicep sets in Azure and what local.settings.json.example
/// shows developers. The settings come from reflection over the Options classes (<see cref="BoundSettings"/>), so a
/// new setting is checked as soon as it exists; the few deployment decisions live in <see cref="AzureChoices"/>.
/// </summary>
public sealed partial class SettingsDriftTests
{
    /// <summary>Values Azure needs that differ from the code's defaults, with the reason.</summary>
    private static readonly Dictionary<string, string> AzureChoices = new()
    {
        // Instances come and go and share nothing on disk: the store must be Table Storage, not a SQLite file.
        ["LlmProxy__Store__Kind"] = "'Tables'",
        // The RecordUsage queue trigger consumes the events.
        ["LlmProxy__UsageQueue__Kind"] = "'StorageQueue'",
        // A vendor without a key must fail loudly in production, not answer with canned mock text.
        ["LlmProxy__MockUnconfiguredProviders"] = "'false'",
    };

    /// <summary>Settings main.bicep sets that code on another branch binds (the admin API); remove each once its Options class is merged.</summary>
    private static readonly HashSet<string> Forthcoming = ["LlmProxy__Admin__ApiKey"];

    private static readonly BicepTemplate Bicep = BicepTemplate.Main;

    private static IReadOnlyDictionary<string, string> AppSettings() =>
        Bicep.ObjectVariable("appSettings").Concat(Bicep.ObjectVariable("premiumAppSettings")).Concat(Bicep.ObjectVariable("azureOpenAIAppSettings")).ToDictionary();

    /// <summary>
    /// The secret settings to hold in Key Vault: every bound <c>ApiKey</c> (per vendor where the Options are per
    /// vendor) and every <c>*SigningKey</c>.
    /// </summary>
    private static IEnumerable<string> SecretSettings() =>
        BoundSettings.All.Where(s => s.Property.Name == nameof(ProviderOptions.ApiKey) || s.Property.Name.EndsWith("SigningKey", StringComparison.Ordinal))
            .SelectMany(s => s.IsPerVendor ? BoundSettings.Vendors.Union(Bicep.ArrayVariable("vendors")).Select(s.EnvironmentNameFor) : [s.EnvironmentName])
            .Concat(Forthcoming.Where(k => k.EndsWith("__ApiKey", StringComparison.Ordinal)))
            .Distinct();

    [Fact]
    public void Reflection_finds_the_settings_of_every_options_section()
    {
        // Guards the discovery itself: if it found nothing, every other test here would pass vacuously.
        Assert.Contains(BoundSettings.All, s => s.Key == "LlmProxy:MaxRequestBodyBytes");
        Assert.Contains(BoundSettings.All, s => s.Key == "LlmProxy:Store:Kind");
        Assert.Contains(BoundSettings.All, s => s.Key == "LlmProxy:UsageQueue:Connection");
        Assert.Contains(BoundSettings.All, s => s.Key == "LlmProxy:Quota:DefaultUserTokens");
        Assert.Contains(BoundSettings.All, s => s.Key == "LlmProxy:Providers:*:ApiKey");
        Assert.Contains("openai", BoundSettings.Vendors);
    }

    [Fact]
    public void Every_bound_setting_is_shown_in_local_settings_example()
    {
        var example = DeploymentFiles.LocalSettingsExample;
        var expected = BoundSettings.All.Where(s => !s.IsPerVendor).Select(s => s.EnvironmentName)
            .Concat(BoundSettings.Vendors.Select(v => $"LlmProxy__Providers__{v}__ApiKey"));
        var missing = expected.Where(name => !example.Keys.Any(k => k == name || k.StartsWith(name + "__", StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, "local.settings.json.example lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_LlmProxy_setting_of_the_example_and_the_template_is_bound_by_the_code()
    {
        var unknown = DeploymentFiles.LocalSettingsExample.Keys.Concat(AppSettings().Keys)
            .Where(k => k.StartsWith("LlmProxy__", StringComparison.Ordinal) && !BoundSettings.Binds(k) && !Forthcoming.Contains(k))
            .ToList();
        Assert.True(unknown.Count == 0, "Settings no Options class binds (typo or stale?): " + string.Join(", ", unknown));
    }

    [Fact]
    public void Every_secret_setting_is_a_Key_Vault_reference_in_main_bicep()
    {
        var settings = AppSettings();
        Assert.Contains("LlmProxy__EndUserTokens__SigningKey", SecretSettings());
        foreach (var name in SecretSettings())
        {
            Assert.True(settings.TryGetValue(name, out var value), $"main.bicep does not set {name}.");
            Assert.StartsWith("keyVaultReference(vault.properties.vaultUri, ", value);
        }
        Assert.Contains("'@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${secretName}/)'", Bicep.Text);
    }

    [Fact]
    public void Main_bicep_holds_a_secret_for_every_vendor_the_code_registers_and_references_each()
    {
        var vendors = Bicep.ArrayVariable("vendors");
        Assert.Superset(BoundSettings.Vendors.ToHashSet(), vendors.ToHashSet());
        Assert.Superset(new HashSet<string> { "openai", "anthropic", "gemini", "cohere", "mistral", "deepseek", "azure" }, vendors.ToHashSet());
        var settings = AppSettings();
        foreach (var vendor in vendors)
            Assert.Equal($"keyVaultReference(vault.properties.vaultUri, '{vendor}-api-key')", settings[$"LlmProxy__Providers__{vendor}__ApiKey"]);
        Assert.Contains("name: '${vendor}-api-key'", Bicep.Text);
    }

    [Fact]
    public void Storage_connections_use_the_managed_identity_in_Azure_and_a_connection_string_locally()
    {
        var connections = BoundSettings.All
            .Where(s => s.Property.Name.EndsWith("Connection", StringComparison.Ordinal) && s.Default is string)
            .Select(s => (string)s.Default!)
            .Concat(DeploymentFiles.Bindings().Where(b => b["connection"] is not null).Select(b => b["connection"]!.GetValue<string>()))
            .Distinct().ToList();
        Assert.Contains("AzureWebJobsStorage", connections);

        var settings = AppSettings();
        foreach (var connection in connections)
        {
            Assert.Equal("storage.name", settings.GetValueOrDefault($"{connection}__accountName"));
            Assert.False(settings.ContainsKey(connection), $"main.bicep must not set {connection} to a connection string; identity only.");
            Assert.True(DeploymentFiles.LocalSettingsExample.ContainsKey(connection), $"local.settings.json.example lacks {connection}.");
        }
        Assert.Contains("allowSharedKeyAccess: false", Bicep.Text);
    }

    [Fact]
    public void Settings_named_in_trigger_attributes_are_set_everywhere()
    {
        var placeholders = DeploymentFiles.Bindings()
            .SelectMany(b => b.Select(p => p.Value?.ToString() ?? ""))
            .SelectMany(v => Placeholder().Matches(v).Select(m => m.Groups[1].Value))
            .Distinct().ToList();
        Assert.Contains("QuotaResetSchedule", placeholders);
        foreach (var name in placeholders)
        {
            Assert.True(AppSettings().ContainsKey(name), $"main.bicep does not set {name}.");
            Assert.True(DeploymentFiles.LocalSettingsExample.ContainsKey(name), $"local.settings.json.example lacks {name}.");
        }
    }

    [Fact]
    public void Azure_specific_choices_are_set_in_main_bicep()
    {
        var settings = AppSettings();
        foreach (var (name, value) in AzureChoices)
        {
            Assert.True(BoundSettings.Binds(name), $"{name} is no longer bound by the code.");
            Assert.Equal(value, settings.GetValueOrDefault(name));
        }
    }

    [Fact]
    public void Queues_and_tables_the_code_names_are_created_by_main_bicep()
    {
        var declared = StringVariable().Matches(Bicep.Text).Select(m => m.Groups[1].Value).Concat(Bicep.ArrayVariable("storeTables")).ToHashSet();
        var named = BoundSettings.All
            .Where(s => s.Default is string && (s.Property.Name.EndsWith("QueueName", StringComparison.Ordinal) || s.Property.Name.EndsWith("Table", StringComparison.Ordinal) || s.Property.Name.EndsWith("TableName", StringComparison.Ordinal)))
            .Select(s => (string)s.Default!)
            .Append(UsageQueueNames.Poison)
            .ToList();
        Assert.Contains(UsageQueueNames.Events, named);
        foreach (var name in named)
            Assert.True(declared.Contains(name), $"main.bicep creates no queue or table '{name}'.");
    }

    [GeneratedRegex("%([A-Za-z0-9_:]+)%")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^var \w+ = '([^']*)'\s*$", RegexOptions.Multiline)]
    private static partial Regex StringVariable();
}
