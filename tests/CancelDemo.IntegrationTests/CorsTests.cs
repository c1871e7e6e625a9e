using System.Net;
using CancelDemo.IntegrationTests.Support;

namespace CancelDemo.IntegrationTests;

/// <summary>The sample page may call the server's other listener; no other origin may call it.</summary>
public sealed class CorsTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PreflightIsAllowedOnlyForTheServersOwnOrigins(bool own)
    {
        var http1 = server.BaseAddress(Transport.Http1);
        // The page on the HTTP listener, under either loopback name, or a stranger on the same machine.
        var origin = own ? $"http://localhost:{http1.Port}" : "http://localhost:1";
        using var client = server.CreateClient(Transport.Https);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/http2");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-request-id");

        using var response = await client.SendAsync(preflight).DefaultTimeout();

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var allowed = response.Headers.TryGetValues("Access-Control-Allow-Origin", out var origins) ? origins.Single() : null;
        Assert.Equal(own ? origin : null, allowed);
        Assert.DoesNotContain(server.Ledger.Recent(1000), e => e.Method == "OPTIONS"); // preflights are not recorded
    }
}
