using System.Diagnostics;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>Real curl, interrupted the way a person's Ctrl-C does it.</summary>
public sealed class Curl : IDisposable
{
    private readonly Process _process;

    private Curl(Process process) => _process = process;

    /// <summary>
    /// Starts <paramref name="arguments"/> (curl ... or a sample script) with SIGINT at its default
    /// action: a process started by a background test runner may inherit it ignored, and
    /// `env --default-signal=INT` restores it, as samples/curl/interrupt.sh does.
    /// </summary>
    public static Curl Start(IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--default-signal=INT");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        var curl = new Curl(process);
        curl.Output = process.StandardOutput.ReadToEndAsync();
        curl.Errors = process.StandardError.ReadToEndAsync();
        return curl;
    }

    public Task<string> Output { get; private set; } = Task.FromResult("");

    public Task<string> Errors { get; private set; } = Task.FromResult("");

    /// <summary>Ctrl-C: SIGINT to the process (env execs the command, so the pid is curl's or the script's).</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -INT {_process.Id} failed with {kill.ExitCode}");
        }
    }

    /// <summary>Waits for the exit; .NET reports death by signal N as 128 + N.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().DefaultTimeout();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
