using Spectre.Console;

namespace CancelDemo.Probe;

internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Piped or captured: plain text, and wide enough that the tables' columns are not folded.
            AnsiConsole.Profile.Capabilities.Ansi = false;
            AnsiConsole.Profile.Capabilities.Interactive = false;
            AnsiConsole.Profile.Width = 200;
        }
        return ProbeCommand.Create().Parse(args).InvokeAsync();
    }
}
