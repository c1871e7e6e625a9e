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

    /// <summary>SIGKILL: the client dies without a word (its kernel's FIN may still go out unless dropped).</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>curl's arguments for <paramref name="transport"/>: HTTP/1.1, HTTP/2 over TLS trusting our PEM, or h2c.</summary>
    public static string[] ArgumentsFor(CancelDemoServer server, Transport transport, string pathAndQuery, string requestId)
    {
        var url = new Uri(server.BaseAddress(transport), pathAndQuery).ToString();
        string[] common = ["curl", "-sS", "-o", "/dev/null", "-H", $"{CancelDemo.Server.Ledger.RequestId.Header}: {requestId}"];
        return transport switch
        {
            Transport.Http11 => [.. common, "--http1.1", url],
            Transport.Http2Tls => [.. common, "--http2", "--cacert", server.Certificate.PemPath, url],
            _ => [.. common, "--http2-prior-knowledge", url],
        };
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
