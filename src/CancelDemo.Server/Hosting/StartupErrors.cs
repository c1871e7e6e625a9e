using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Hosting;

/// <summary>How the server refuses bad configuration: one line per bad value on stderr, and exit code 1.</summary>
public static class StartupErrors
{
    public const int ExitCode = 1;

    public static int Report(OptionsValidationException error)
    {
        Console.Error.WriteLine("CancelDemo cannot start: bad configuration.");
        foreach (var failure in error.Failures)
        {
            Console.Error.WriteLine($"  {failure}");
        }
        return ExitCode;
    }
}
