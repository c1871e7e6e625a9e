using System.Net;
using CancelDemo.IntegrationTests.Support;
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
}
