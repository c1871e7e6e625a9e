using System.Net.Sockets;
using System.Text;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>HTTP/1.1 has no per-request cancel: the client closing its socket is the signal.</summary>
public sealed class ConnectionCloseTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    [Theory]
    [InlineData("FIN")]
    [InlineData("RST")]
    public async Task ClosingTheSocketMidRequestEndsTheWork(string close)
    {
        var id = NewId(close);
        using var socket = await ConnectAsync();
        await SendRequestAsync(socket, $"/http1?iterations=50&stepMs=100", id);
        await server.WaitForEntryAsync(id, e => e.IterationsCompleted >= 1);

        if (close == "FIN")
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        else
        {
            socket.LingerState = new LingerOption(true, 0); // close sends RST instead of FIN
            socket.Close();
        }

        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal(499, entry.StatusCode);
        Assert.InRange(entry.IterationsCompleted, 1, 3);
        Assert.InRange(entry.AbortToStopMs!.Value, 0, 1000);
    }

    [Fact]
    public async Task ClientClosingRightAfterAFullResponseLeavesTheEntryCompleted()
    {
        var id = NewId("close-after");
        using var socket = await ConnectAsync();
        await SendRequestAsync(socket, "/http1?iterations=2&stepMs=20", id);

        var response = await ReadUntilAsync(socket, "0\r\n\r\n"); // the chunked body's end
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Contains("Task completed successfully", response, StringComparison.Ordinal);
        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.Completed, entry.Outcome);
        Assert.Equal(200, entry.StatusCode);
        Assert.Null(entry.AbortObservedAt);
    }

    private async Task<Socket> ConnectAsync()
    {
        var address = server.BaseAddress(Transport.Http1);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address.Host, address.Port).DefaultTimeout();
        return socket;
    }

    private static async Task SendRequestAsync(Socket socket, string pathAndQuery, string id) =>
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"GET {pathAndQuery} HTTP/1.1\r\nHost: localhost\r\n{RequestId.Header}: {id}\r\n\r\n"));

    private static async Task<string> ReadUntilAsync(Socket socket, string end)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TaskTimeouts.Default);
        while (!received.ToString().EndsWith(end, StringComparison.Ordinal))
        {
            var count = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (count == 0)
            {
                break;
            }
            received.Append(Encoding.ASCII.GetString(buffer, 0, count));
        }
        return received.ToString();
    }
}
