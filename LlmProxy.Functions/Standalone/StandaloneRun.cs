using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmProxy.Functions.Standalone;

/// <summary>
/// Runs the standalone host as <c>dotnet run</c> does, and turns a start that cannot succeed into its message and exit
/// code 1. Unhandled, a bad setting printed the message, two stack traces and exit code 134 (an abort); an operator
/// needs only the message.
/// </summary>
internal static class StandaloneRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        var app = StandaloneHost.Build(args);
        try
        {
            // The host checks the settings itself at start, but logs the failure with its stack trace first.
            app.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures) await Console.Error.WriteLineAsync(failure).ConfigureAwait(false);
            return 1;
        }
        try
        {
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (InvalidOperationException e)
        {
            // What the stores refuse at start (a SQLite file another process serves, a store that cannot be reached)
            // says what to do in its message; the host has logged the details.
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
