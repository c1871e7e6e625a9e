using System.Net;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Downstream;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>/chain finds its next hop through the hop's /listeners, and does not give up on it for good.</summary>
public sealed class ChainDiscoveryTests
{
    [Fact]
    public async Task NextHopThatWasDownAtTheFirstCallIsFoundOnceItIsUp()
    {
        var port = LoopbackPort.Free();
        await using var edge = With(new Dictionary<string, string?> { ["Downstream:BaseUrl"] = $"http://127.0.0.1:{port}" });
        using var client = edge.CreateClient(Transport.Http1);
        const string Chain = "/chain?hops=1&downstreamProtocol=h2c&leaf=loop&iterations=1&stepMs=1";

        using (var down = await client.GetAsync(Chain).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.BadGateway, down.StatusCode);
        }

        await using var hop = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Kestrel:Endpoints:Http1:Url"] = $"http://127.0.0.1:{port}" });
        using var up = await client.GetAsync(Chain).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
    }

    [Fact]
    public async Task TheEdgeAnswersAndRecordsTheHopsOwnStatus()
    {
        await using var edge = new CancelDemoServer();
        using var client = edge.CreateClient(Transport.Http1);
        var id = NewId("chain-status");

        using var response = await client.SendAsync(Get("/chain?hops=1&downstreamProtocol=1.1&iterations=50&stepMs=100&timeoutMs=250", id)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode); // the leaf's own server-side timeout
        Assert.Contains("Server-side timeout", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var entry = await edge.WaitForEndAsync(id);
        Assert.Equal(504, entry.StatusCode);
        Assert.Equal(504, entry.Downstream!.StatusCode);
        Assert.Equal(RequestOutcome.TimedOut, (await edge.WaitForEndAsync(entry.Downstream.RequestId)).Outcome);
    }

    [Theory]
    [InlineData(Transport.Http1)]
    [InlineData(Transport.Https)]
    [InlineData(Transport.H2c)]
    public async Task DownstreamBaseUrlMayBeAnyListenerOfTheNextServer(Transport listener)
    {
        await using var hop = await ServerProcess.StartAsync();
        await using var edge = With(new Dictionary<string, string?>
        {
            ["Downstream:BaseUrl"] = hop.BaseAddress(listener).ToString(),
            ["Downstream:CaCertificate"] = Path.Combine(hop.StateDirectory, "localhost.pem"),
        });
        using var client = edge.CreateClient(Transport.Http1);

        foreach (var protocol in new[] { "1.1", "2", "h2c" })
        {
            using var response = await client.GetAsync($"/chain?hops=1&downstreamProtocol={protocol}&iterations=1&stepMs=1").DefaultTimeout();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{protocol} via {listener}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task ANextHopThatNeverAnswersIsGivenUpOnWithAnErrorNamingTheSetting()
    {
        // It accepts connections and says nothing, ever.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        await using var edge = With(new Dictionary<string, string?> { ["Downstream:BaseUrl"] = $"http://127.0.0.1:{port}" });
        using var client = edge.CreateClient(Transport.Http1);

        // Two at once share one discovery; both get the same answer.
        var calls = Enumerable.Range(0, 2).Select(_ => client.GetAsync("/chain?hops=1&iterations=1&stepMs=1")).ToList();
        var responses = await Task.WhenAll(calls).DefaultTimeout();

        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Contains("Downstream:BaseUrl", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            response.Dispose();
        }
    }

    [Fact]
    public async Task AChainLeftAtItsDefaultHopCountEndsAtItsLeaf()
    {
        // Found by `cancel-probe audit --openapi`: /chain without hops= called itself for ever, each hop taking the default again.
        await using var edge = new CancelDemoServer();
        using var client = edge.CreateClient(Transport.Http1);
        var id = NewId("default-hops");

        using var response = await client.SendAsync(Get("/chain?iterations=1&stepMs=1", id)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var hop = await edge.WaitForEndAsync(HopCaller.ChildId(id));
        Assert.Null(hop.Downstream); // the one hop of the default is the leaf
        Assert.Equal(1, hop.IterationsCompleted);
    }
}
