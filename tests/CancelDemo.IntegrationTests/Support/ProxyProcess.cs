using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// A real reverse proxy from its Debian package, started through samples/proxies/run.sh (so the
/// tested config is the sample's) on a free loopback port, in front of a test server.
/// </summary>
public sealed class ProxyProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _work;

    private ProxyProcess(string proxy, int port, ChildProcess process, string work)
    {
        Proxy = proxy;
        Port = port;
        _process = process;
        _work = work;
    }

    public string Proxy { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"https://127.0.0.1:{Port}/");

    public static Task<ProxyProcess> StartAsync(string proxy, CancelDemoServer server, IReadOnlyDictionary<string, string> settings) =>
        StartAsync(proxy, server.BaseAddress, server.Certificate.PemPath, server.Certificate.KeyPemPath, settings);

    /// <summary>The proxy in front of a server of its own process, with that server's certificate.</summary>
    public static Task<ProxyProcess> StartAsync(string proxy, ServerProcess server, IReadOnlyDictionary<string, string> settings) =>
        StartAsync(proxy, server.BaseAddress, Path.Combine(server.StateDirectory, "localhost.pem"), Path.Combine(server.StateDirectory, "localhost-key.pem"), settings);

    private static async Task<ProxyProcess> StartAsync(string proxy, Func<Transport, Uri> server, string certificate, string key, IReadOnlyDictionary<string, string> settings)
    {
        var port = LoopbackPort.Free();
        var work = Directory.CreateTempSubdirectory($"canceldemo-{proxy}-").FullName;
        var environment = new Dictionary<string, string>(settings)
        {
            ["OUT"] = work,
            ["PROXY_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["HTTP1"] = HostPort(server(Transport.Http1)),
            ["HTTPS"] = HostPort(server(Transport.Https)),
            ["H2C"] = HostPort(server(Transport.H2c)),
            ["CERT"] = certificate,
            ["KEY"] = key,
        };
        var process = ChildProcess.Start("bash", [RepositoryFiles.Path("samples", "proxies", "run.sh"), proxy], environment);
        var proxyProcess = new ProxyProcess(proxy, port, process, work);
        await proxyProcess.WaitUntilListeningAsync();
        return proxyProcess;
    }

    /// <summary>An HttpClient that speaks exactly <paramref name="version"/> to the proxy, with SNI "localhost" and only our certificate trusted.</summary>
    public HttpClient CreateClient(CancelDemoServer server, Version version)
    {
        var handler = HttpClients.Handler(server.Certificate.Certificate);
        handler.SslOptions.TargetHost = "localhost";
        return HttpClients.Create(BaseAddress, version, handler);
    }

    /// <summary>The status the proxy wrote to its access log for <paramref name="requestId"/>: waits, bounded, for the line.</summary>
    public async Task<string?> LoggedStatusAsync(string requestId)
    {
        // Watch before looking, so a line written between the look and the watch still wakes us.
        using var written = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(_work, "access.log")
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
        };
        watcher.Changed += (_, _) => written.Release();
        watcher.Created += (_, _) => written.Release();
        watcher.EnableRaisingEvents = true;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (FindLoggedStatus(requestId) is { } status)
            {
                return status;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await written.WaitAsync(left))
            {
                return null;
            }
        }
    }

    /// <summary>A file the proxy writes in its folder (YARP's console log is yarp.log), as it is now.</summary>
    public string ReadFile(string name)
    {
        var path = Path.Combine(_work, name);
        if (!File.Exists(path))
        {
            return "";
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>Waits (bounded) until what file <paramref name="name"/> gained after <paramref name="from"/> characters contains <paramref name="text"/>; returns that part.</summary>
    public async Task<string> WaitForTextAsync(string name, int from, string text)
    {
        var added = "";
        await Polling.UntilAsync(() => Task.FromResult((added = ReadFile(name)[from..].ReplaceLineEndings("\n")).Contains(text, StringComparison.Ordinal)), TaskTimeouts.Default);
        return added;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    private string? FindLoggedStatus(string requestId)
    {
        var log = Path.Combine(_work, "access.log");
        if (!File.Exists(log))
        {
            return null;
        }
        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (Proxy == "caddy")
            {
                if (line.Contains(requestId, StringComparison.Ordinal))
                {
                    using var json = JsonDocument.Parse(line);
                    return json.RootElement.GetProperty("status").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            else if (line.StartsWith(requestId + " ", StringComparison.Ordinal))
            {
                // nginx: "id status time protocol"; HAProxy: "id status time termination-state protocol"; h2o: "id status ..."
                var fields = line.Split(' ');
                return Proxy == "haproxy" ? $"{fields[1]} {fields[3]}" : fields[1];
            }
        }
        return null;
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Proxy} exited: {_process.Output}{ErrorLog()}");
            }
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50); // a proxy signals no readiness: the connect is the check, retried until the bound
            }
        }
        throw new TimeoutException($"{Proxy} did not listen on {Port}: {ErrorLog()}");
    }

    private string ErrorLog()
    {
        var path = Path.Combine(_work, "error.log");
        return File.Exists(path) ? "\n" + File.ReadAllText(path) : "";
    }

    private static string HostPort(Uri uri) => $"{uri.Host}:{uri.Port}";
}
