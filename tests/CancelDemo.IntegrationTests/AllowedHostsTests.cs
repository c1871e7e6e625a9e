using System.Net;
using CancelDemo.IntegrationTests.Support;

namespace CancelDemo.IntegrationTests;

/// <summary>Host filtering follows the listeners: a listener's own host name is served, others are not, unless configured.</summary>
public sealed class AllowedHostsTests
{
    [Theory]
    [InlineData(null, "127.0.0.2", HttpStatusCode.OK)]          // the listener's configured host
    [InlineData(null, "localhost", HttpStatusCode.OK)]
    [InlineData(null, "rebind.example", HttpStatusCode.BadRequest)]
    [InlineData("*", "rebind.example", HttpStatusCode.OK)]      // the standard setting turns the check off
    [InlineData("cancel.example", "cancel.example", HttpStatusCode.OK)]
    [InlineData("cancel.example", "127.0.0.2", HttpStatusCode.OK)] // the listener's host stays allowed
    [InlineData("cancel.example", "rebind.example", HttpStatusCode.BadRequest)]
    public async Task HostsAreAllowedByListenerAndByConfiguration(string? allowedHosts, string host, HttpStatusCode expected)
    {
        var settings = new Dictionary<string, string?> { ["Kestrel:Endpoints:Http1:Url"] = "http://127.0.0.2:0" };
        if (allowedHosts is not null)
        {
            settings["AllowedHosts"] = allowedHosts;
        }
        await using var server = CancelDemoServer.With(settings);
        using var client = server.CreateClient(Transport.Http1);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Host = host;

        using var response = await client.SendAsync(request).DefaultTimeout();

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task AForeignHostGetsProblemDetailsAndItsSummaryLineAtInformation()
    {
        await using var server = new CancelDemoServer();
        using var client = server.CreateClient(Transport.Http1);
        var id = CancelDemoServer.NewId("foreign-host");
        using var request = CancelDemoServer.Get("/healthz", id);
        request.Headers.Host = "rebind.example";

        using var response = await client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":400", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var line = await server.Logs.WaitForAsync(e => e.EventId.Id == 10 && e.Message.EndsWith(id, StringComparison.Ordinal));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, line.Level);
        Assert.StartsWith("400 |", line.Message, StringComparison.Ordinal);
    }
}
