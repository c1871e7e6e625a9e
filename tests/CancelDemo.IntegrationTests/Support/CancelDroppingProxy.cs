using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// A TCP proxy in front of PostgreSQL that passes every connection through except cancel requests, which it
/// resets: the way a cancel is lost when it cannot reach the server (a firewall, a proxy that does not forward
/// them). Npgsql sends a cancel on a new connection whose first message, after it has asked for encryption, is
/// CancelRequest (length 16, code 80877102). The proxy answers the encryption requests itself ("N": none).
/// </summary>
public sealed class CancelDroppingProxy : IAsyncDisposable
{
    private const int CancelRequestCode = 80877102;
    private const int SslRequestCode = 80877103;
    private const int GssEncRequestCode = 80877104;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pipes = [];
    private Task _accepting = Task.CompletedTask;
    private int _dropped;

    private CancelDroppingProxy(string connectionString, IPEndPoint upstream)
    {
        _upstream = upstream;
        _listener.Start();
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = ((IPEndPoint)_listener.LocalEndpoint).Port };
        ConnectionString = builder.ConnectionString;
    }

    /// <summary>The connection string through the proxy.</summary>
    public string ConnectionString { get; }

    public int CancelRequestsDropped => Volatile.Read(ref _dropped);

    public static Task<CancelDroppingProxy> StartAsync(string connectionString)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var proxy = new CancelDroppingProxy(connectionString, new IPEndPoint(IPAddress.Parse(target.Host!), target.Port));
        proxy._accepting = proxy.AcceptAsync();
        return Task.FromResult(proxy);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] pipes;
        lock (_pipes)
        {
            pipes = [.. _pipes];
        }
        await Task.WhenAll(pipes).WaitAsync(TaskTimeouts.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_pipes)
            {
                _pipes.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        try
        {
            var first = new byte[8];
            if (!await ReadExactlyAsync(client, first))
            {
                return;
            }
            // Npgsql first asks for GSS (then TLS) encryption, on cancel connections too: say no ourselves, then
            // look at the message that follows.
            while (BinaryPrimitives.ReadInt32BigEndian(first) == 8 && BinaryPrimitives.ReadInt32BigEndian(first.AsSpan(4)) is SslRequestCode or GssEncRequestCode)
            {
                await client.SendAsync("N"u8.ToArray(), _stop.Token);
                if (!await ReadExactlyAsync(client, first))
                {
                    return;
                }
            }
            if (BinaryPrimitives.ReadInt32BigEndian(first) == 16 && BinaryPrimitives.ReadInt32BigEndian(first.AsSpan(4)) == CancelRequestCode)
            {
                Interlocked.Increment(ref _dropped);
                client.LingerState = new LingerOption(true, 0); // RST: the cancel is lost
                return;
            }
            using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(_upstream, _stop.Token);
            await server.SendAsync(first, _stop.Token);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            await Task.WhenAny(CopyAsync(client, server, done.Token), CopyAsync(server, client, done.Token));
            await done.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // a connection ended: normal for a proxy
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var count = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (count == 0)
            {
                return false;
            }
            read += count;
        }
        return true;
    }

    private static async Task CopyAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int count;
            while ((count = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, count), SocketFlags.None, cancellationToken);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
