using System.Reflection;
using System.Text.Json.Nodes;
using LlmProxy.Functions.Standalone;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;

namespace LlmProxy.Tests.Deployment;

/// <summary>
/// The Functions host reads the build output, not the source: functions.metadata (what to index),
/// worker.config.json (how to start the worker) and extensions.json with the .azurefunctions payload (the
/// binding extensions it loads). These tests prove the output is what the host expects.
/// </summary>
public sealed class BuildOutputTests
{
    private static string Output(params string[] parts) => Path.Combine([RepositoryPaths.FunctionsOutput, .. parts]);

    private static JsonNode ReadJson(params string[] parts) => JsonNode.Parse(File.ReadAllText(Output(parts)))!;

    /// <summary>Every [Function] method of the app, from the assembly itself.</summary>
    private static IEnumerable<MethodInfo> FunctionMethods() =>
        typeof(StandaloneHost).Assembly.GetTypes().SelectMany(t => t.GetMethods()).Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null);

    [Fact]
    public void Functions_metadata_lists_every_function_of_the_assembly_with_its_entry_point()
    {
        var metadata = DeploymentFiles.FunctionsMetadata().Select(f => f!.AsObject()).ToList();
        var expected = FunctionMethods().ToDictionary(m => m.GetCustomAttribute<FunctionAttribute>()!.Name, m => $"{m.DeclaringType!.FullName}.{m.Name}");
        Assert.Contains("RecordUsage", expected.Keys);
        Assert.Equal(expected.Keys.Order(), metadata.Select(f => f["name"]!.GetValue<string>()).Order());
        foreach (var function in metadata)
        {
            Assert.Equal(expected[function["name"]!.GetValue<string>()], function["entryPoint"]!.GetValue<string>());
            Assert.Equal("LlmProxy.Functions.dll", function["scriptFile"]!.GetValue<string>());
            Assert.Equal("dotnet-isolated", function["language"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Every_function_has_exactly_one_trigger_and_http_functions_return_http()
    {
        foreach (var function in DeploymentFiles.FunctionsMetadata())
        {
            var bindings = function!["bindings"]!.AsArray().Select(b => b!.AsObject()).ToList();
            var trigger = Assert.Single(bindings, b => b["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal));
            Assert.Equal("In", trigger["direction"]!.GetValue<string>());
            if (trigger["type"]!.GetValue<string>() != "httpTrigger") continue;
            // With ASP.NET Core integration the function's return value is the HTTP response.
            var output = Assert.Single(bindings, b => b["direction"]!.GetValue<string>() == "Out");
            Assert.Equal("http", output["type"]!.GetValue<string>());
            Assert.Equal("$return", output["name"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Queue_trigger_reads_a_string_message_so_the_host_hands_over_the_decoded_text()
    {
        var trigger = DeploymentFiles.FunctionsMetadata().Single(f => f!["name"]!.GetValue<string>() == "RecordUsage")!["bindings"]![0]!;
        Assert.Equal("queueTrigger", trigger["type"]!.GetValue<string>());
        Assert.Equal("String", trigger["dataType"]!.GetValue<string>());
    }

    [Fact]
    public void Worker_config_starts_this_assembly_as_a_dotnet_isolated_worker()
    {
        var description = ReadJson("worker.config.json")["description"]!;
        Assert.Equal("dotnet-isolated", description["language"]!.GetValue<string>());
        Assert.Equal("dotnet", description["defaultExecutablePath"]!.GetValue<string>());
        var workerPath = description["defaultWorkerPath"]!.GetValue<string>();
        Assert.Equal("LlmProxy.Functions.dll", workerPath);
        Assert.True(File.Exists(Output(workerPath)), $"{workerPath} is not in the build output.");
        // Worker indexing: the host takes the function list from the worker (and functions.metadata) rather than scanning.
        Assert.Equal("true", description["workerIndexing"]!.GetValue<string>());
    }

    [Fact]
    public void Extension_payload_holds_the_storage_queue_extension_the_queue_trigger_needs()
    {
        var extensions = ReadJson("extensions.json")["extensions"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var queues = Assert.Single(extensions, e => e["name"]!.GetValue<string>() == "AzureStorageQueues");
        var hintPath = queues["hintPath"]!.GetValue<string>();
        Assert.Equal("./.azurefunctions/Microsoft.Azure.WebJobs.Extensions.Storage.Queues.dll", hintPath);

        var assemblyPath = Output(hintPath.Split('/', StringSplitOptions.RemoveEmptyEntries)[1..]);
        Assert.True(File.Exists(assemblyPath), $"{hintPath} is listed in extensions.json but missing from the build output.");
        var assembly = AssemblyName.GetAssemblyName(assemblyPath);
        // The startup type named in extensions.json must be in the shipped assembly, at the same version.
        Assert.Contains($"{assembly.Name}, Version={assembly.Version}", queues["typeName"]!.GetValue<string>());
        // Identity-based connections (AzureWebJobsStorage__accountName) need the v5 extension or later.
        Assert.True(assembly.Version!.Major >= 5, $"Storage queue extension {assembly.Version} predates identity-based connections.");

        var dependencies = File.ReadAllText(Output(".azurefunctions", "function.deps.json"));
        Assert.Contains("\"Microsoft.Azure.WebJobs.Extensions.Storage.Queues/", dependencies);
        Assert.True(File.Exists(Output(".azurefunctions", "Azure.Storage.Queues.dll")));
    }

    [Fact]
    public void Host_json_in_the_output_is_the_project_file()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "LlmProxy.Functions", "host.json")), File.ReadAllText(Output("host.json")));
    }
}
