using System.Net.Sockets;
using System.Text;
using CancelDemo.Server.Ledger;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// A bare HTTP/1.1 client on a plain socket, for what HttpClient hides: closing with FIN or RST, a tiny
/// receive window, reading nothing at all, or bytes HttpClient would refuse to send.
/// </summary>
public sealed class RawHttp1 : IDisposable
{
    private RawHttp1(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>Connects to the server's HTTP/1.1 listener; a small <paramref name="receiveBuffer"/> closes the window soon.</summary>
    public static async Task<RawHttp1> ConnectAsync(CancelDemoServer server, int? receiveBuffer = null)
    {
        var address = server.BaseAddress(Transport.Http1);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBuffer is { } size)
        {
            socket.ReceiveBufferSize = size;
        }
        await socket.ConnectAsync(address.Host, address.Port).DefaultTimeout();
        return new RawHttp1(socket);
    }

    /// <summary>Sends exactly <paramref name="request"/> (UTF-8).</summary>
    public async Task SendAsync(string request) => await Socket.SendAsync(Encoding.UTF8.GetBytes(request));

    public Task GetAsync(string pathAndQuery, string? requestId = null, bool close = false) => SendAsync(
        $"GET {pathAndQuery} HTTP/1.1\r\nHost: localhost\r\n" +
        (requestId is null ? "" : $"{RequestIds.Header}: {requestId}\r\n") +
        (close ? "Connection: close\r\n" : "") + "\r\n");

    /// <summary>One read: the response has begun to arrive.</summary>
    public async Task<int> ReadSomeAsync()
    {
        using var cts = new CancellationTokenSource(TaskTimeouts.Default);
        return await Socket.ReceiveAsync(new byte[4096], SocketFlags.None, cts.Token);
    }

    /// <summary>Reads (bounded) until the text received ends with <paramref name="end"/> or the server closes.</summary>
    public async Task<string> ReadUntilAsync(string end)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TaskTimeouts.Default);
        while (!received.ToString().EndsWith(end, StringComparison.Ordinal))
        {
            var count = await Socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (count == 0)
            {
                break;
            }
            received.Append(Encoding.UTF8.GetString(buffer, 0, count));
        }
        return received.ToString();
    }

    /// <summary>Reads (bounded) until the server closes; returns the text.</summary>
    public Task<string> ReadAllTextAsync() => ReadUntilAsync("\0never\0");

    /// <summary>Reads (bounded) until the server closes; returns how many bytes came.</summary>
    public async Task<long> ReadToEndAsync()
    {
        using var cts = new CancellationTokenSource(TaskTimeouts.Default);
        var buffer = new byte[256 * 1024];
        long total = 0;
        int read;
        while ((read = await Socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
        {
            total += read;
        }
        return total;
    }

    /// <summary>FIN: the client says it will send no more, as a polite close does.</summary>
    public void CloseWithFin() => Socket.Shutdown(SocketShutdown.Send);

    /// <summary>RST: an abortive close (SO_LINGER 0).</summary>
    public void CloseWithReset()
    {
        Socket.LingerState = new LingerOption(true, 0);
        Socket.Close();
    }

    /// <summary>A plain close: FIN, or RST when received data is still unread (Linux).</summary>
    public void Close() => Socket.Close();

    public void Dispose() => Socket.Dispose();
}
