using System.Text.RegularExpressions;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// The built server as its own process (`dotnet CancelDemo.Server.dll`), started from any directory, on
/// 127.0.0.1 port 0: for what needs a real separate process (another working directory, a second hop, a
/// process killed mid-request). It learns its ports from the banner the server prints.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly Dictionary<Transport, Uri> _listeners;
    private HttpClient? _ledgerClient;

    private ServerProcess(ChildProcess process, Dictionary<Transport, Uri> listeners, string stateDirectory)
    {
        _process = process;
        _listeners = listeners;
        StateDirectory = stateDirectory;
    }

    /// <summary>The server's build output, as the test project copies it.</summary>
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "CancelDemo.Server.dll");

    public string StateDirectory { get; }

    public string Output => _process.Output;

    public int Id => _process.Id;

    public Uri BaseAddress(Transport transport) => _listeners[transport];

    /// <summary>
    /// Starts the server with <paramref name="settings"/> (as --key=value arguments) from
    /// <paramref name="workingDirectory"/>, optionally under <paramref name="wrapper"/> (e.g. strace), and
    /// waits (bounded) until every listener has said where it is. <paramref name="environment"/> is added to the
    /// process's environment (what a user sets there: OTEL_* variables).
    /// </summary>
    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null, string? workingDirectory = null,
        IReadOnlyList<string>? wrapper = null, string? stateDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        stateDirectory ??= CancelDemoServer.StateDirectory;
        var arguments = new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Http1:Url"] = "http://127.0.0.1:0",
            ["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:H2c:Url"] = "http://127.0.0.1:0",
            ["Tls:StateDirectory"] = stateDirectory,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            arguments[key] = value;
        }
        var listeners = new Dictionary<Transport, Uri>();
        var allListening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string line)
        {
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                lock (listeners)
                {
                    listeners[Enum.Parse<Transport>(match.Groups["name"].Value)] = new Uri(match.Groups["url"].Value);
                    if (listeners.Count == 3)
                    {
                        allListening.TrySetResult();
                    }
                }
            }
        }
        string[] command = [.. wrapper ?? [], "dotnet", Dll, .. arguments.Select(a => $"--{a.Key}={a.Value}")];
        var process = ChildProcess.Start(command[0], command.Skip(1), environment, workingDirectory: workingDirectory, onLine: OnLine);
        var server = new ServerProcess(process, listeners, stateDirectory);
        try
        {
            await allListening.Task.WaitAsync(TaskTimeouts.Default);
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new TimeoutException($"the server did not start listening: {process.Output}");
        }
        return server;
    }

    /// <summary>A client for <paramref name="transport"/> that trusts the server's exported certificate.</summary>
    public HttpClient CreateClient(Transport transport)
    {
        var pem = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(StateDirectory, "localhost.pem")));
        return HttpClients.Create(BaseAddress(transport), transport.Version(), HttpClients.Handler(pem, handler: new SocketsHttpHandler()));
    }

    /// <summary>The ledger's entry for <paramref name="id"/>, or null while the server has not seen the request.</summary>
    public async Task<System.Text.Json.JsonElement?> LedgerEntryAsync(string id)
    {
        // One client for every read (polls come every 100 ms): not a new handler, connection and PEM read each time.
        _ledgerClient ??= CreateClient(Transport.Http1);
        using var response = await _ledgerClient.GetAsync(new Uri($"/requests/{Uri.EscapeDataString(id)}", UriKind.Relative));
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>Waits (bounded) until the ledger has recorded the end of <paramref name="id"/>, and returns that entry.</summary>
    public async Task<System.Text.Json.JsonElement> WaitForLedgerEndAsync(string id)
    {
        System.Text.Json.JsonElement? entry = null;
        await Polling.UntilAsync(async () => (entry = await LedgerEntryAsync(id))?.GetProperty("outcome").GetString() is not (null or "running"), TaskTimeouts.Default);
        return entry!.Value;
    }

    /// <summary>SIGKILL: the process dies mid-whatever, without a word to anyone.</summary>
    public void Kill() => _process.Kill();

    public Task SignalAsync(string signal) => _process.SignalAsync(signal);

    public Task<int> WaitForExitAsync() => _process.WaitForExitAsync();

    public ValueTask DisposeAsync()
    {
        _ledgerClient?.Dispose();
        return _process.DisposeAsync();
    }

    [GeneratedRegex(@"(?<name>Http1|Https|H2c) listening on (?<url>\S+) \(")]
    private static partial Regex ListeningLine();
}
