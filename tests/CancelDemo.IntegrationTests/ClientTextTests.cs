using System.Net;
using System.Net.Http.Json;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using Microsoft.AspNetCore.Mvc;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>What a client sends cannot forge a log line, hijack the ledger, or reach it from a foreign host name.</summary>
public sealed class ClientTextTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    [Theory]
    [InlineData("/x%0D%0A%5B00:00:00.000%20ERR%5D%20forged", @"/x\r\n[00:00:00.000 ERR] forged")]
    [InlineData("/x%0Aforged%1B%5B31m", @"/x\nforged\u001b[31m")]
    [InlineData("/x%E2%80%A8forged", @"/x\u2028forged")] // LINE SEPARATOR
    [InlineData("/x%5C%22forged", @"/x\\""forged")] // a backslash stays readable as one
    public async Task ControlCharactersInThePathAreEscapedInTheLog(string rawPath, string escaped)
    {
        var id = NewId("forge");
        var response = await SendRawAsync($"GET {rawPath} HTTP/1.1\r\nHost: localhost\r\n{RequestIds.Header}: {id}\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 404", response, StringComparison.Ordinal);
        var line = Assert.Single(server.Logs.Events, e => e.Message.EndsWith(id, StringComparison.Ordinal));
        Assert.Contains($"\"{escaped}\"", line.Message, StringComparison.Ordinal); // escaped, nothing dropped
        Assert.DoesNotContain(line.Message, c => char.IsControl(c) || c is '\u2028' or '\u2029');
    }

    [Theory]
    [InlineData("rebind.example")]
    [InlineData("rebind.example:8080")]
    [InlineData("192.168.1.10")]
    public async Task ForeignHostNamesAreRefused(string host)
    {
        var response = await SendRawAsync($"GET /requests HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.DoesNotContain("remoteEndPoint", response, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public async Task TheListenersOwnHostNamesAreServed(string host)
    {
        var port = server.BaseAddress(Transport.Http1).Port;
        var response = await SendRawAsync($"GET /requests?limit=1 HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondRequestWithTheIdOfOneInFlightIsRefusedWith409AndTheFirstKeepsItsEntry()
    {
        var id = NewId("twice");
        using var client = server.CreateClient(Transport.H2c);
        using var cts = new CancellationTokenSource();
        var first = client.SendAsync(Get("/http1?iterations=50&stepMs=100", id), cts.Token);
        await server.WaitForEntryAsync(id, e => e.IterationsCompleted >= 1);

        using var second = await client.SendAsync(Get("/http1?iterations=1&stepMs=1", id)).DefaultTimeout();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var entry = await server.WaitForEndAsync(id);
        using var reused = await client.SendAsync(Get("/http1?iterations=1&stepMs=1", id)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var problem = await second.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains(id, problem!.Detail, StringComparison.Ordinal);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome); // the aborted request is still the one found
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode); // once it has ended, the id may be used again
    }

    private async Task<string> SendRawAsync(string request)
    {
        using var client = await RawHttp1.ConnectAsync(server);
        await client.SendAsync(request);
        return await client.ReadAllTextAsync();
    }
}
