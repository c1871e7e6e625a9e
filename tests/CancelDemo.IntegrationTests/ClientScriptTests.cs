using System.Text.Json;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// Seed 003's question for today's clients: the sample programs in samples/clients, each giving up its own way
/// against the real server. Where a client does not cancel (httpx over HTTP/2, aiohttp over TLS), the test says
/// so: the server runs the request to its end, and the workaround is shown to work.
/// </summary>
public sealed class ClientScriptTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    private const int StepMs = 250;

    public static TheoryData<string, Transport, string, bool> NodeCases => new()
    {
        { "node-fetch.mjs", Transport.Http1, "abort", true },
        { "node-fetch.mjs", Transport.Http1, "timeout", true },
        { "node-fetch.mjs", Transport.Http1, "body", true },
        { "node-http2.mjs", Transport.H2c, "rst-stream", true },
        { "node-http2.mjs", Transport.Https, "rst-stream", true },
    };

    public static TheoryData<string, Transport, string, bool> PythonCases => new()
    {
        { "python-httpx.py", Transport.Http1, "timeout", true },
        { "python-httpx.py", Transport.Http1, "cancel", true },
        { "python-httpx.py", Transport.Http1, "stream", true },
        // httpx 0.23 over HTTP/2 forgets the stream and sends no RST_STREAM: the server works on.
        { "python-httpx.py", Transport.H2c, "timeout", false },
        { "python-httpx.py", Transport.H2c, "cancel", false },
        { "python-httpx.py", Transport.H2c, "stream", false },
        { "python-httpx.py", Transport.Https, "cancel", false },
        // ...unless the connection goes: closing the client, or one client per request.
        { "python-httpx.py", Transport.H2c, "close-client", true },
        { "python-httpx.py", Transport.H2c, "dedicated-client", true },
        { "python-httpx.py", Transport.Https, "dedicated-client", true },
        { "python-aiohttp.py", Transport.Http1, "timeout", true },
        { "python-aiohttp.py", Transport.Http1, "cancel", true },
        // Python's TLS close waits (up to 30 s) for the server's close_notify before the TCP socket closes.
        { "python-aiohttp.py", Transport.Https, "cancel", false },
    };

    [RequiresTheory("node")]
    [MemberData(nameof(NodeCases))]
    public Task NodeClientGivesUpAndTheServerNoticesOrNot(string script, Transport transport, string way, bool noticed) =>
        RunAsync("node", script, transport, way, noticed);

    [RequiresTheory("python3:httpx", "python3:h2", "python3:aiohttp")]
    [MemberData(nameof(PythonCases))]
    public Task PythonClientGivesUpAndTheServerNoticesOrNot(string script, Transport transport, string way, bool noticed) =>
        RunAsync(Requires.DebianPython, script, transport, way, noticed);

    private async Task RunAsync(string interpreter, string script, Transport transport, string way, bool noticed)
    {
        List<string> arguments = [RepositoryFiles.Path("samples", "clients", script), server.BaseAddress(transport).ToString().TrimEnd('/'), "--step-ms", $"{StepMs}"];
        if (script != "node-http2.mjs")
        {
            arguments.AddRange(["--way", way]);
        }
        if (transport == Transport.Https)
        {
            arguments.AddRange(["--cacert", server.Certificate.PemPath]);
        }
        if (!noticed)
        {
            arguments.AddRange(["--iterations", "12"]); // the server runs it to the end: keep that short
        }
        if (script.StartsWith("python-httpx", StringComparison.Ordinal) && transport != Transport.Http1)
        {
            arguments.Add("--http2");
        }

        var (exit, output) = await ChildProcess.RunAsync(interpreter, arguments, timeout: TimeSpan.FromSeconds(60));

        Assert.True(exit == (noticed ? 0 : 2), $"exit {exit}: {output}");
        var result = JsonDocument.Parse(output.Split('\n').First(l => l.StartsWith('{'))).RootElement;
        var entry = await server.WaitForEndAsync(result.GetProperty("requestId").GetString()!);
        Assert.Equal(noticed ? RequestOutcome.ClientAborted : RequestOutcome.Completed, entry.Outcome);
        Assert.Equal(transport.WireName() is var wire && script.StartsWith("python-aiohttp", StringComparison.Ordinal) ? "HTTP/1.1" : wire, entry.Protocol);
        var connection = "-";
        if (script == "node-http2.mjs")
        {
            // The sibling stream on the same connection ran on to its end: only the victim was reset.
            Assert.Equal("completed", result.GetProperty("siblingOutcome").GetString());
            Assert.True(result.GetProperty("sameConnection").GetBoolean());
            connection = "kept (a sibling stream completed)";
        }
        var cancelledAt = DateTimeOffset.Parse(result.GetProperty("cancelledAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var work = way is "body" or "stream"
            ? $"{Math.Max(0, entry.IterationsCompleted - (int)((cancelledAt - entry.StartedAt).TotalMilliseconds / 100) - 1)} chunks"
            : ClientMatrix.IterationsAfter(entry, cancelledAt, StepMs);
        ClientMatrix.Record(ClientName(script), ProtocolName(script, transport), way, entry, cancelledAt, work, connection, Advice(script, transport, way, noticed));
    }

    private static string ClientName(string script) => script switch
    {
        "node-fetch.mjs" => "Node fetch (undici)",
        "node-http2.mjs" => "Node http2",
        "python-httpx.py" => "Python httpx",
        _ => "Python aiohttp",
    };

    private static string ProtocolName(string script, Transport transport) => transport switch
    {
        Transport.Http1 => "HTTP/1.1",
        Transport.H2c => "h2c",
        _ => script.StartsWith("python-aiohttp", StringComparison.Ordinal) ? "HTTP/1.1 over TLS" : "HTTP/2 over TLS",
    };

    private static string Advice(string script, Transport transport, string way, bool noticed) => (script, noticed) switch
    {
        ("python-httpx.py", false) => "httpcore 0.16 never sends RST_STREAM: close the client (or use one per request), or speak HTTP/1.1",
        ("python-httpx.py", true) when transport != Transport.Http1 => "closing the connection is what the server hears; it ends every stream on it",
        ("python-aiohttp.py", false) => "the TLS close waits up to 30 s for the server's close_notify; bound the work server-side (timeoutMs)",
        _ => "",
    };
}
