using System.Net.Sockets;
using System.Text;

namespace CancelDemo.Probe.Storm;

/// <summary>
/// HTTP/1.1 has no per-request cancel: one connection per request, and the cancel is closing it (FIN, as curl
/// or a browser does when nothing is left unread).
/// </summary>
public sealed class Http1StormClient : IStormClient
{
    private readonly List<(string Id, Socket Socket)> _requests = [];

    public async Task OpenAsync(Uri baseAddress, string pathAndQuery, IReadOnlyList<string> requestIds, CancellationToken cancellationToken)
    {
        foreach (var batch in requestIds.Chunk(100))
        {
            await Task.WhenAll(batch.Select(async id =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(baseAddress.Host, baseAddress.Port, cancellationToken);
                    var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nX-Request-Id: {id}\r\n\r\n";
                    await socket.SendAsync(Encoding.ASCII.GetBytes(request), cancellationToken);
                }
                catch
                {
                    socket.Dispose(); // not yet in the list that DisposeAsync closes
                    throw;
                }
                lock (_requests)
                {
                    _requests.Add((id, socket));
                }
            }));
        }
    }

    public IReadOnlyDictionary<string, DateTimeOffset> CancelAll()
    {
        var cancelled = new Dictionary<string, DateTimeOffset>(_requests.Count);
        foreach (var (id, socket) in _requests)
        {
            cancelled[id] = DateTimeOffset.UtcNow;
            socket.Close();
        }
        return cancelled;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var (_, socket) in _requests)
        {
            socket.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
