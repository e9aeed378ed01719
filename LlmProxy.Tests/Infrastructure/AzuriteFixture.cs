using System.Diagnostics;
using System.Text.RegularExpressions;

[assembly: AssemblyFixture(typeof(LlmProxy.Tests.Infrastructure.AzuriteFixture))]

namespace LlmProxy.Tests.Infrastructure;

/// <summary>
/// Azurite from tools/azurite (npm), started once per test run on free loopback ports, in memory, without
/// telemetry (which would try to reach the internet), and stopped by its process id. Missing Azurite fails the
/// tests that need it: run scripts/setup.d/20-azurite.sh.
/// </summary>
public sealed partial class AzuriteFixture : IAsyncLifetime
{
    // Azurite's documented development account; a public, well-known key, not a secret.
    private const string DevAccount = "devstoreaccount1";
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private Process? _process;
    private readonly TaskCompletionSource<int> _queuePort = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _tablePort = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string ConnectionString { get; private set; } = "";

    /// <summary>A connection string whose queue endpoint is <paramref name="queuePort"/> on loopback instead of Azurite's (a gate in front of it).</summary>
    public string ConnectionStringWithQueuePort(int queuePort) => ConnectionString.Replace(
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/", $"QueueEndpoint=http://127.0.0.1:{queuePort}/", StringComparison.Ordinal);

    public int QueuePort { get; private set; }

    public static string Script => Path.Combine(RepositoryPaths.Root, "tools", "azurite", "node_modules", "azurite", "dist", "src", "azurite.js");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Script))
            throw new InvalidOperationException($"Azurite is not installed ({Script} is missing): run scripts/setup.d/20-azurite.sh.");

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Script, "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", "0", "--queueHost", "127.0.0.1", "--queuePort", "0",
            "--tableHost", "127.0.0.1", "--tablePort", "0",
        })
            start.ArgumentList.Add(argument);

        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        _process.OutputDataReceived += (_, line) => Listening(line.Data);
        _process.ErrorDataReceived += (_, line) => Listening(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) =>
        {
            _queuePort.TrySetException(new InvalidOperationException("Azurite exited before it was listening."));
            _tablePort.TrySetException(new InvalidOperationException("Azurite exited before it was listening."));
        };

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var queuePort = QueuePort = await _queuePort.Task.WaitAsync(timeout.Token);
        var tablePort = await _tablePort.Task.WaitAsync(timeout.Token);
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={DevAccount};AccountKey={DevKey};" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/{DevAccount};TableEndpoint=http://127.0.0.1:{tablePort}/{DevAccount};";
    }

    /// <summary>A table name no other test uses.</summary>
    public static string NewTableName() => "t" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>A queue name no other test uses; its poison queue is the name plus <c>-poison</c>.</summary>
    public static string NewQueueName() => "usage-" + Guid.NewGuid().ToString("N")[..20];

    private void Listening(string? line)
    {
        if (line is null || ListeningLine().Match(line) is not { Success: true } match) return;
        var port = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
        if (match.Groups["service"].Value == "Queue") _queuePort.TrySetResult(port);
        if (match.Groups["service"].Value == "Table") _tablePort.TrySetResult(port);
    }

    [GeneratedRegex(@"Azurite (?<service>\w+) service is successfully listening at http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningLine();

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }
}
