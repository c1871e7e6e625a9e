namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// samples/ShopApi as its own process (`dotnet ShopApi.dll`), a real app to audit: an HTTP/1.1 listener and an h2c
/// listener on free loopback ports, its database the test's PostgreSQL, its pricing service another ShopApi (or itself).
/// </summary>
public sealed class ShopApiProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private ShopApiProcess(ChildProcess process, Uri http1, Uri h2c)
    {
        _process = process;
        Http1 = http1;
        H2c = h2c;
    }

    /// <summary>The app's build output, built beside the tests (the tests' project references it without its assembly).</summary>
    public static string Dll { get; } = RepositoryFiles.Path("samples", "ShopApi", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug",
        "net10.0", "ShopApi.dll");

    public Uri Http1 { get; }

    public Uri H2c { get; }

    public string Output => _process.Output;

    public static async Task<ShopApiProcess> StartAsync(string connectionString, Uri? pricing = null)
    {
        var (http1, h2c) = (new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/"), new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/"));
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = ChildProcess.Start("dotnet", [Dll,
            $"--Kestrel:Endpoints:Http:Url={http1}", "--Kestrel:Endpoints:Http:Protocols=Http1",
            $"--Kestrel:Endpoints:H2c:Url={h2c}", "--Kestrel:Endpoints:H2c:Protocols=Http2",
            $"--ConnectionStrings:Shop={connectionString}", $"--Pricing:BaseUrl={pricing ?? http1}"],
            onLine: line =>
            {
                if (line.Contains("Application started", StringComparison.Ordinal))
                {
                    listening.TrySetResult();
                }
            });
        var shop = new ShopApiProcess(process, http1, h2c);
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            await shop.DisposeAsync();
            throw new TimeoutException($"ShopApi did not start: {process.Output}");
        }
        return shop;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
