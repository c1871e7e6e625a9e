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
        var parsed = ProbeCommand.Create().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // The lines that matter, not the whole help in front of them.
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine(error.Message);
            }
            Console.Error.WriteLine("Run with --help for every option.");
            return Task.FromResult(1);
        }
        return parsed.InvokeAsync();
    }
}
