using System.Net;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// Which real proxies carry a client's abort to the server, per client protocol, upstream route and
/// the setting that decides it, each asserted both ways. Expectations are what was measured; see
/// docs/proxies.md for the numbers.
/// </summary>
public sealed class ProxyMatrixTests(ProxyMatrix matrix) : IClassFixture<ProxyMatrix>
{
    private const int Iterations = 12;
    private const int StepMs = 250;

    private static readonly ProxySetup[] Setups =
    [
        new("nginx", "proxy_ignore_client_abort off", "NGINX_IGNORE_CLIENT_ABORT", "off"),
        new("nginx", "proxy_ignore_client_abort on", "NGINX_IGNORE_CLIENT_ABORT", "on"),
        new("haproxy", "no option abortonclose", "HAPROXY_ABORTONCLOSE", "off"),
        new("haproxy", "option abortonclose", "HAPROXY_ABORTONCLOSE", "on"),
        new("caddy", "(nothing to set)", "", ""),
        new("h2o", "(nothing to set)", "", ""),
        new("yarp", "(nothing to set)", "", ""),
    ];

    public static TheoryData<ProxySetup, string, string> Cases()
    {
        var data = new TheoryData<ProxySetup, string, string>();
        foreach (var setup in Setups)
        {
            foreach (var client in new[] { "HTTP/1.1", "HTTP/2" })
            {
                foreach (var route in Routes(setup.Proxy))
                {
                    data.Add(setup, client, route);
                }
            }
        }
        return data;
    }

    [RequiresTheory("nginx", "haproxy", "caddy", "h2o")]
    [MemberData(nameof(Cases))]
    public async Task ClientAbortThroughTheProxyReachesTheServerOnlyWhereTheProxyPropagatesIt(ProxySetup setup, string client, string route)
    {
        var proxy = await matrix.ProxyAsync(setup);
        using var http = proxy.CreateClient(matrix.Server, client == "HTTP/2" ? HttpVersion.Version20 : HttpVersion.Version11);
        var id = NewId(setup.Proxy);
        using var cts = new CancellationTokenSource();

        var call = http.SendAsync(Get($"{route}?iterations={Iterations}&stepMs={StepMs}", id), cts.Token);
        await matrix.Server.WaitForEntryAsync(id, e => e.IterationsCompleted >= 2);
        var cancelledAt = DateTimeOffset.UtcNow;
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        var entry = await matrix.Server.WaitForEndAsync(id);
        var logged = await proxy.LoggedStatusAsync(id);
        matrix.Record(new ProxyMeasurement(setup.Proxy, setup.SettingName, client, $"{route} → {UpstreamRoute(setup.Proxy, route)}", entry.Protocol,
            entry.Outcome == RequestOutcome.ClientAborted, entry.AbortToStopMs, (entry.AbortObservedAt - cancelledAt)?.TotalMilliseconds, logged));

        Assert.Equal(UpstreamProtocol(setup.Proxy, route), entry.Protocol);
        if (ExpectPropagated(setup, client, route))
        {
            Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
            Assert.InRange((entry.AbortObservedAt!.Value - cancelledAt).TotalMilliseconds, -50, 2000);
            // Cancelled after 2 steps; the abort may take up to the 2 s above to arrive, one step every StepMs meanwhile.
            Assert.InRange(entry.IterationsCompleted, 2, 2 + 2000 / StepMs);
        }
        else
        {
            Assert.Equal(RequestOutcome.Completed, entry.Outcome); // the work ran on with nobody waiting
            Assert.Equal(Iterations, entry.IterationsCompleted);
        }
    }

    [RequiresTheory("nginx", "haproxy", "caddy", "h2o")]
    [InlineData("nginx")]
    [InlineData("haproxy")]
    [InlineData("caddy")]
    [InlineData("h2o")]
    [InlineData("yarp")]
    public async Task Http2ClientResettingOneStreamThroughTheProxyLeavesItsSiblingRunning(string proxyName)
    {
        var proxy = await matrix.ProxyAsync(Setups.First(s => s.Proxy == proxyName));
        using var http = proxy.CreateClient(matrix.Server, HttpVersion.Version20);
        var siblingId = NewId($"{proxyName}-sibling");
        var victimId = NewId($"{proxyName}-victim");
        using var cts = new CancellationTokenSource();

        var sibling = http.SendAsync(Get("/http1?iterations=8&stepMs=150", siblingId));
        await matrix.Server.WaitForEntryAsync(siblingId, e => e.IterationsCompleted >= 1);
        var victim = http.SendAsync(Get("/http1?iterations=50&stepMs=150", victimId), cts.Token);
        await matrix.Server.WaitForEntryAsync(victimId, e => e.IterationsCompleted >= 1);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => victim);
        using var response = await sibling.DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(RequestOutcome.ClientAborted, (await matrix.Server.WaitForEndAsync(victimId)).Outcome);
        Assert.Equal(RequestOutcome.Completed, (await matrix.Server.WaitForEndAsync(siblingId)).Outcome);
    }

    /// <summary>
    /// YARP passes the abort on and takes it as normal traffic: its forwarder's RequestCanceled event is Debug, nothing is
    /// a warning or an error, and the status it leaves on the response (our sample's access log) is 400.
    /// </summary>
    [RequiresFact("nginx", "haproxy", "caddy", "h2o")]
    public async Task YarpTellsAClientAbortOnlyAtDebugAndAnswers400()
    {
        var proxy = await matrix.ProxyAsync(Setups.Single(s => s.Proxy == "yarp"));
        using var http = proxy.CreateClient(matrix.Server, HttpVersion.Version20);
        var id = NewId("yarp-log");
        using var cts = new CancellationTokenSource();

        var call = http.SendAsync(Get($"/http1?iterations={Iterations}&stepMs={StepMs}", id), cts.Token);
        await matrix.Server.WaitForEntryAsync(id, e => e.IterationsCompleted >= 1);
        var earlier = proxy.ReadFile("yarp.log").Length; // what the other tests of this proxy made it log
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        Assert.Equal(RequestOutcome.ClientAborted, (await matrix.Server.WaitForEndAsync(id)).Outcome);
        Assert.Equal("400", await proxy.LoggedStatusAsync(id));
        var log = await proxy.WaitForTextAsync("yarp.log", earlier, "RequestCanceled");
        Assert.Contains("dbug: Yarp.ReverseProxy.Forwarder.HttpForwarder[66]\n      RequestCanceled: The request was canceled before receiving a response.", log, StringComparison.Ordinal);
        Assert.DoesNotContain("warn: ", log, StringComparison.Ordinal);
        Assert.DoesNotContain("fail: ", log, StringComparison.Ordinal);
    }

    /// <summary>
    /// YARP's two timeouts (1 s each, samples/proxies/yarp): both cancel the upstream call, so the server's work stops; the
    /// route's Timeout reaches the client as 400 (the forwarder takes the timeout's cancellation for the client's), the
    /// cluster's ActivityTimeout as 504. YARP logs the first as RequestCanceled at Debug (a timeout nobody hears of) and
    /// the second as RequestTimedOut at Warning.
    /// </summary>
    [RequiresTheory("nginx", "haproxy", "caddy", "h2o")]
    [InlineData("/timeout", "route Timeout 00:00:01", 400, "dbug: Yarp.ReverseProxy.Forwarder.HttpForwarder[66]\n      RequestCanceled: The request was canceled before receiving a response.")]
    [InlineData("/idle", "cluster HttpRequest.ActivityTimeout 00:00:01", 504, "warn: Yarp.ReverseProxy.Forwarder.HttpForwarder[48]\n      RequestTimedOut: The request timed out before receiving a response.")]
    public async Task YarpsTimeoutsCancelTheUpstreamCall(string prefix, string timeout, int clientGets, string yarpLogs)
    {
        var proxy = await matrix.ProxyAsync(Setups.Single(s => s.Proxy == "yarp"));
        using var http = proxy.CreateClient(matrix.Server, HttpVersion.Version20);
        var id = NewId("yarp-timeout");
        var earlier = proxy.ReadFile("yarp.log").Length;
        var sentAt = DateTimeOffset.UtcNow;

        using var response = await http.SendAsync(Get($"{prefix}/http1?iterations={Iterations}&stepMs={StepMs}", id)).DefaultTimeout();

        var entry = await matrix.Server.WaitForEndAsync(id);
        var logged = await proxy.LoggedStatusAsync(id);
        matrix.RecordTimeout(new YarpTimeoutMeasurement(timeout, $"{prefix}/http1 → HTTP/1.1", (int)response.StatusCode,
            (entry.AbortObservedAt - sentAt)?.TotalMilliseconds, entry.AbortToStopMs, entry.Outcome.Name(), logged));
        Assert.Equal(clientGets, (int)response.StatusCode);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.InRange((entry.AbortObservedAt!.Value - sentAt).TotalMilliseconds, 900, 5000);
        Assert.InRange(entry.IterationsCompleted, 1, Iterations - 1);
        await proxy.WaitForTextAsync("yarp.log", earlier, yarpLogs);
    }

    /// <summary>h2o 2.2 has no HTTP/2 upstream, so no h2c route.</summary>
    private static string[] Routes(string proxy) => proxy == "h2o" ? ["/http1", "/http2"] : ["/http1", "/http2", "/h2c/http2"];

    private static string UpstreamRoute(string proxy, string route) => route switch
    {
        "/http1" => "HTTP/1.1",
        "/http2" => proxy is "haproxy" or "caddy" or "yarp" ? "HTTP/2 over TLS" : "HTTP/1.1 over TLS",
        _ => proxy == "nginx" ? "h2c (grpc_pass)" : "h2c",
    };

    private static string UpstreamProtocol(string proxy, string route) => UpstreamRoute(proxy, route).StartsWith("HTTP/1.1", StringComparison.Ordinal) ? "HTTP/1.1" : "HTTP/2";

    /// <summary>What was measured (docs/proxies.md); each setting that matters is asserted both ways.</summary>
    private static bool ExpectPropagated(ProxySetup setup, string client, string route) => setup.Proxy switch
    {
        // grpc_pass has no ignore-client-abort switch: it always gives up on the upstream with the client.
        "nginx" => setup.EnvironmentValue == "off" || route.StartsWith("/h2c", StringComparison.Ordinal),
        // Without abortonclose an HTTP/1.1 client's close does not abort the server side: HAProxy waits for the answer.
        "haproxy" => setup.EnvironmentValue == "on" || client == "HTTP/2",
        "caddy" => true,
        // h2o 2.2 does not notice an HTTP/1.1 client's close while it waits for the upstream.
        "h2o" => client == "HTTP/2",
        // YARP's forwarder links the upstream call to the client's RequestAborted.
        "yarp" => true,
        _ => throw new ArgumentOutOfRangeException(nameof(setup)),
    };
}
