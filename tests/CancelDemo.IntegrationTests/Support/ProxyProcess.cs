using System.Diagnostics;
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
    private readonly Process _process;
    private readonly string _work;
    private readonly Task<string> _output;

    private ProxyProcess(string proxy, int port, Process process, string work, Task<string> output)
    {
        Proxy = proxy;
        Port = port;
        _process = process;
        _work = work;
        _output = output;
    }

    public string Proxy { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"https://127.0.0.1:{Port}/");

    public static string Command(string proxy) => proxy == "nginx" ? "nginx" : proxy;

    public static string Package(string proxy) => proxy == "nginx" ? "nginx-light" : proxy;

    public static async Task<ProxyProcess> StartAsync(string proxy, CancelDemoServer server, IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var work = Directory.CreateTempSubdirectory($"canceldemo-{proxy}-").FullName;
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepositoryFiles.Path("samples", "proxies", "run.sh"));
        start.ArgumentList.Add(proxy);
        start.Environment["OUT"] = work;
        start.Environment["PROXY_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["HTTP1"] = HostPort(server.BaseAddress(Transport.Http11));
        start.Environment["HTTPS"] = HostPort(server.BaseAddress(Transport.Http2Tls));
        start.Environment["H2C"] = HostPort(server.BaseAddress(Transport.H2c));
        start.Environment["CERT"] = server.Certificate.PemPath;
        start.Environment["KEY"] = server.Certificate.KeyPemPath;
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var proxyProcess = new ProxyProcess(proxy, port, process, work, Task.WhenAll(stdout, stderr).ContinueWith(t => string.Join("\n", t.Result), TaskScheduler.Default));
        await proxyProcess.WaitUntilListeningAsync();
        return proxyProcess;
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

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
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
                throw new InvalidOperationException($"{Proxy} exited with {_process.ExitCode}: {await _output}{ErrorLog()}");
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
