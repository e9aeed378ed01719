using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LlmProxy.Tests.Infrastructure;

/// <summary>
/// The standalone host as a process of its own (<c>dotnet LlmProxy.Functions.dll --standalone</c> from the Functions
/// build), for tests that kill it the way a crash or the OOM killer would. Settings go on the command line; it
/// listens on a free loopback port, read from its start-up log.
/// </summary>
public sealed partial class ProxyProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ProxyProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <param name="workingDirectory">Holds no <c>local.settings.json</c>, so only <paramref name="settings"/> apply.</param>
    public static async Task<ProxyProcess> StartAsync(string workingDirectory, IDictionary<string, string?> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.FunctionsOutput, "LlmProxy.Functions.dll"));
        foreach (var argument in new[] { "--standalone", "--urls", "http://127.0.0.1:0", "--environment", "Production" })
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add("--" + key);
            start.ArgumentList.Add(value ?? "");
        }

        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Line(string? line)
        {
            if (line is null) return;
            output.Enqueue(line);
            if (ListeningLine().Match(line) is { Success: true } match) listening.TrySetResult(new Uri(match.Groups["url"].Value));
        }
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The host exited before listening:\n" + string.Join("\n", output)));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return new ProxyProcess(process, address);
        }
        catch
        {
            if (!process.HasExited) process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL, at once and without waiting: the process gets no chance to drain, flush or say goodbye.</summary>
    public void Kill() => _process.Kill();

    public async Task KillAsync()
    {
        Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }
}
