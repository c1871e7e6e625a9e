using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// A real program the tests run (curl, iptables, a proxy, the probe, a server): started with its output
/// captured, waited for with a bound, signalled, and killed with its children on dispose.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _openStreams = 2;

    private ChildProcess(Process process) => _process = process;

    /// <summary>Raised for each line the program writes to stdout or stderr.</summary>
    public event Action<string>? Line;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything written to stdout and stderr so far, interleaved as it came.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="command"/> with <paramref name="arguments"/>. With <paramref name="defaultSigInt"/>
    /// SIGINT is put back to its default action (`env --default-signal=INT`): a process started by a background
    /// test runner may inherit it ignored, and then a Ctrl-C would not land (as samples/curl/interrupt.sh does).
    /// </summary>
    public static ChildProcess Start(string command, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null, bool defaultSigInt = false, Action<string>? onLine = null)
    {
        var start = new ProcessStartInfo(defaultSigInt ? "env" : command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        if (defaultSigInt)
        {
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add(command);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        if (onLine is not null)
        {
            child.Line += onLine;
        }
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs to the end (bounded) and returns the exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string command, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        await using var child = Start(command, arguments, environment, workingDirectory);
        try
        {
            return (await child.WaitForExitAsync(timeout), child.Output);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{command} did not exit within {timeout ?? TaskTimeouts.Default}; its output so far:\n{child.Output}");
        }
    }

    /// <summary>Waits, bounded, for the program to exit and its output to be read; .NET reports death by signal N as 128 + N.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        var bound = timeout ?? TaskTimeouts.Default;
        await _process.WaitForExitAsync().WaitAsync(bound);
        await _closed.Task.WaitAsync(bound);
        return _process.ExitCode;
    }

    /// <summary>Sends <paramref name="signal"/> (INT for Ctrl-C, KILL, TERM) to the program.</summary>
    public async Task SignalAsync(string signal)
    {
        var (exit, output) = await RunAsync("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        if (exit != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed with {exit}: {output}");
        }
    }

    /// <summary>SIGKILL to the program and its children: it dies without a word.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            await _process.WaitForExitAsync().WaitAsync(TaskTimeouts.Default);
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _openStreams) == 0)
            {
                _closed.TrySetResult();
            }
            return;
        }
        lock (_gate)
        {
            _output.AppendLine(line);
        }
        try
        {
            Line?.Invoke(line);
        }
        catch (Exception e)
        {
            // This runs on the process's output thread: an exception would crash the test host (and leave this
            // program and its siblings running). Kept in the output instead, for the waiting test's message.
            lock (_gate)
            {
                _output.AppendLine($"[tests] the line handler failed on the line above: {e.GetType().Name}: {e.Message}");
            }
        }
    }
}
