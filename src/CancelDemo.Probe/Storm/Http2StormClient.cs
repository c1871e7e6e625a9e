using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace CancelDemo.Probe.Storm;

/// <summary>
/// HTTP/2 on raw sockets (h2c, or TLS with ALPN h2), as few connections as the server's
/// SETTINGS_MAX_CONCURRENT_STREAMS allows, and the cancel is one write per connection of RST_STREAM(CANCEL)
/// frames built beforehand. HttpClient would be fairer to nobody: it captures a stack trace on every cancel
/// before it sends the RST_STREAM (15-30 ms for the first in a process, about 0.15 ms each after that).
/// </summary>
public sealed class Http2StormClient(bool tls) : IStormClient
{
    private readonly List<Connection> _connections = [];

    public async Task OpenAsync(Uri baseAddress, string pathAndQuery, IReadOnlyList<string> requestIds, CancellationToken cancellationToken)
    {
        var next = 0;
        while (next < requestIds.Count)
        {
            var connection = await Connection.OpenAsync(baseAddress, tls, cancellationToken);
            _connections.Add(connection);
            var count = Math.Min(connection.MaxStreams, requestIds.Count - next);
            connection.Send(requestIds.Skip(next).Take(count).Select(id => (id, pathAndQuery)).ToList());
            next += count;
        }
    }

    public IReadOnlyDictionary<string, DateTimeOffset> CancelAll()
    {
        var cancelled = new Dictionary<string, DateTimeOffset>();
        foreach (var connection in _connections)
        {
            var at = DateTimeOffset.UtcNow;
            connection.ResetAll();
            foreach (var id in connection.RequestIds)
            {
                cancelled[id] = at;
            }
        }
        return cancelled;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }

    private sealed class Connection : IAsyncDisposable
    {
        private const byte Data = 0, Headers = 1, RstStream = 3, Settings = 4, Ping = 6, GoAway = 7;
        private const byte EndStream = 0x1, EndHeaders = 0x4, Ack = 0x1;
        private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

        private readonly Socket _socket;
        private readonly Stream _stream;
        private readonly Lock _writeGate = new();
        private readonly TaskCompletionSource _settings = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<int> _streamIds = [];
        private readonly string _authority;
        private readonly bool _tls;
        private Task _reading = Task.CompletedTask;
        private byte[] _resets = [];

        private Connection(Socket socket, Stream stream, string authority, bool tls)
        {
            _socket = socket;
            _stream = stream;
            _authority = authority;
            _tls = tls;
        }

        public int MaxStreams { get; private set; } = 100;

        public List<string> RequestIds { get; } = [];

        public static async Task<Connection> OpenAsync(Uri baseAddress, bool tls, CancellationToken cancellationToken)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            Stream? stream = null;
            try
            {
                await socket.ConnectAsync(baseAddress.Host, baseAddress.Port, cancellationToken);
                stream = new NetworkStream(socket, ownsSocket: false);
                if (tls)
                {
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                    stream = ssl;
                    await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                    {
                        TargetHost = "localhost",
                        ApplicationProtocols = [SslApplicationProtocol.Http2],
#pragma warning disable CA5359 // a benchmark of the server's own loopback listener, with its self-signed certificate
                        RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
                    }, cancellationToken);
                }
            }
            catch
            {
                // Not yet a connection the client's DisposeAsync knows of: close it here.
                stream?.Dispose();
                socket.Dispose();
                throw;
            }
            var connection = new Connection(socket, stream, baseAddress.Authority, tls);
            try
            {
                connection.Write([.. Preface, .. Frame(Settings, 0, 0, [])]);
                connection._reading = Task.Run(connection.ReadAsync, CancellationToken.None);
                await connection._settings.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
            return connection;
        }

        public void Send(IReadOnlyList<(string Id, string PathAndQuery)> requests)
        {
            var frames = new List<byte>();
            var resets = new List<byte>();
            foreach (var (id, pathAndQuery) in requests)
            {
                var streamId = 1 + (2 * _streamIds.Count);
                _streamIds.Add(streamId);
                RequestIds.Add(id);
                frames.AddRange(Frame(Headers, EndStream | EndHeaders, streamId, HeaderBlock(pathAndQuery, id)));
                resets.AddRange(Frame(RstStream, 0, streamId, [0, 0, 0, 8])); // CANCEL
            }
            _resets = [.. resets];
            Write([.. frames]);
        }

        /// <summary>Every stream's RST_STREAM in one write.</summary>
        public void ResetAll() => Write(_resets);

        public async ValueTask DisposeAsync()
        {
            _socket.Dispose();
            await _stream.DisposeAsync();
            try
            {
                await _reading.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or TimeoutException or SocketException)
            {
            }
        }

        /// <summary>HPACK without Huffman or indexing: GET, the scheme, the path, the authority and X-Request-Id.</summary>
        private byte[] HeaderBlock(string pathAndQuery, string id)
        {
            var block = new List<byte> { 0x82, (byte)(_tls ? 0x87 : 0x86) }; // :method GET, :scheme
            Literal(block, 4, pathAndQuery);                                   // :path (name index 4)
            Literal(block, 1, _authority);                                     // :authority (name index 1)
            block.Add(0x00);                                                   // a new name, not indexed
            String(block, "x-request-id");
            String(block, id);
            return [.. block];
        }

        private static void Literal(List<byte> block, int nameIndex, string value)
        {
            Integer(block, 0x00, 4, nameIndex);
            String(block, value);
        }

        private static void String(List<byte> block, string value)
        {
            var bytes = Encoding.ASCII.GetBytes(value);
            Integer(block, 0x00, 7, bytes.Length);
            block.AddRange(bytes);
        }

        /// <summary>An HPACK integer with an N-bit prefix (RFC 7541 5.1).</summary>
        private static void Integer(List<byte> block, byte flags, int prefixBits, int value)
        {
            var max = (1 << prefixBits) - 1;
            if (value < max)
            {
                block.Add((byte)(flags | value));
                return;
            }
            block.Add((byte)(flags | max));
            for (value -= max; value >= 128; value >>= 7)
            {
                block.Add((byte)((value & 0x7f) | 0x80));
            }
            block.Add((byte)value);
        }

        private static byte[] Frame(byte type, byte flags, int streamId, byte[] payload)
        {
            var frame = new byte[9 + payload.Length];
            frame[0] = (byte)(payload.Length >> 16);
            frame[1] = (byte)(payload.Length >> 8);
            frame[2] = (byte)payload.Length;
            frame[3] = type;
            frame[4] = flags;
            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
            payload.CopyTo(frame, 9);
            return frame;
        }

        private void Write(byte[] bytes)
        {
            lock (_writeGate)
            {
                _stream.Write(bytes);
                _stream.Flush();
            }
        }

        /// <summary>Answers SETTINGS and PING; everything else (the responses) is read and dropped.</summary>
        private async Task ReadAsync()
        {
            var header = new byte[9];
            try
            {
                while (true)
                {
                    await _stream.ReadExactlyAsync(header);
                    var length = (header[0] << 16) | (header[1] << 8) | header[2];
                    var payload = new byte[length];
                    await _stream.ReadExactlyAsync(payload);
                    switch (header[3])
                    {
                        case Settings when (header[4] & Ack) == 0:
                            for (var i = 0; i + 6 <= length; i += 6)
                            {
                                if (BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(i)) == 3) // MAX_CONCURRENT_STREAMS
                                {
                                    MaxStreams = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i + 2)), 1000);
                                }
                            }
                            Write(Frame(Settings, Ack, 0, []));
                            _settings.TrySetResult();
                            break;
                        case Ping when (header[4] & Ack) == 0:
                            Write(Frame(Ping, Ack, 0, payload));
                            break;
                        case GoAway:
                            return;
                        case Data or Headers or RstStream:
                            break;
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or EndOfStreamException or SocketException)
            {
                _settings.TrySetException(e);
            }
        }
    }
}
