using System.Collections.Concurrent;
using System.Globalization;
using CancelDemo.Server.Ledger;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>One client × protocol × way of giving up, as measured: a row of docs/clients.md.</summary>
/// <param name="Client">.NET HttpClient, curl, Chromium, Firefox, Node fetch, ...</param>
/// <param name="Protocol">HTTP/1.1, HTTP/1.1 over TLS, HTTP/2 over TLS, h2c.</param>
/// <param name="Way">How the client gave up.</param>
/// <param name="Noticed">The server recorded the abort.</param>
/// <param name="Signal">How the server was told: FIN, RST, RST_STREAM, or nothing.</param>
/// <param name="CancelToNoticedMs">From the client's cancel to the server's RequestAborted (same clock), if it noticed.</param>
/// <param name="WorkAfterCancel">Iterations, chunks or bytes the server still produced after the cancel.</param>
/// <param name="Connection">kept, closed, or - when not measured.</param>
/// <param name="Note">What the user can do about it, where the client does not cancel.</param>
public sealed record ClientCase(string Client, string Protocol, string Way, bool Noticed, string Signal, double? CancelToNoticedMs,
    string WorkAfterCancel, string Connection, string Note = "");

/// <summary>
/// Every client case any test measures, written when the test run ends: to docs/clients.md with
/// CANCELDEMO_WRITE_DOCS=1, else next to the test output. Tests of different classes add rows; the table is one.
/// </summary>
public static class ClientMatrix
{
    private static readonly ConcurrentQueue<ClientCase> Cases = new();
    private static readonly string[] ClientOrder = [".NET HttpClient", "curl", "Chromium", "Firefox", "Node fetch (undici)", "Node http2", "Python httpx", "Python aiohttp"];

    static ClientMatrix() => AppDomain.CurrentDomain.ProcessExit += (_, _) => Write();

    public static void Record(ClientCase row) => Cases.Enqueue(row);

    /// <summary>A row from the ledger entry of the request the client gave up on.</summary>
    public static void Record(string client, string protocol, string way, LedgerEntry entry, DateTimeOffset? cancelledAt, string workAfterCancel,
        string connection = "-", string note = "") =>
        Record(new ClientCase(client, protocol, way, entry.Outcome == RequestOutcome.ClientAborted, SignalOf(entry),
            entry.AbortObservedAt is { } at && cancelledAt is { } c ? Math.Round((at - c).TotalMilliseconds, 1) : null, workAfterCancel, connection, note));

    /// <summary>Iterations of a /http1 loop the server ran after the cancel: what it did beyond what it had done by then.</summary>
    public static string IterationsAfter(LedgerEntry entry, DateTimeOffset cancelledAt, int stepMs)
    {
        var byCancel = Math.Min(entry.IterationsPlanned, (int)((cancelledAt - entry.StartedAt).TotalMilliseconds / stepMs));
        var after = Math.Max(0, entry.IterationsCompleted - byCancel);
        return $"{after} iteration{(after == 1 ? "" : "s")}";
    }

    public static string SignalOf(LedgerEntry entry) => entry.Outcome == RequestOutcome.ClientAborted ? entry.AbortSignal ?? "?" : "nothing";

    private static void Write()
    {
        if (Cases.IsEmpty)
        {
            return;
        }
        var path = MeasuredDocs.PathOf("clients.md");
        var lines = new List<string>
        {
            "# Which clients really cancel?",
            "",
            $"Measured on {DateTime.UtcNow:yyyy-MM-dd} by `CANCELDEMO_WRITE_DOCS=1 ./test.sh` (the whole suite; every row is a test that asserts it),",
            "against CancelDemo on loopback: .NET 10's HttpClient, curl 7.88, Debian's Chromium and Firefox ESR, Node 20, and Debian's",
            "python3-httpx 0.23 (httpcore 0.16) and python3-aiohttp 3.8. \"How the server was told\" is what the server's own socket",
            "showed when the request was aborted: FIN (the client closed the connection), RST (it reset it), RST_STREAM (an HTTP/2",
            "stream reset, the connection still open), or nothing (the request ran to its end). \"Cancel → noticed\" is from the client's",
            "cancel to the server's `RequestAborted`, same machine, same clock. Work after the cancel: loop iterations, stream chunks or",
            "bytes the server still produced. Connection: whether the client's next request arrived on the same connection.",
            "",
            "| client | protocol | way of giving up | server noticed? | how it was told | cancel → noticed ms | work after the cancel | connection | what to do |",
            "|---|---|---|---|---|---|---|---|---|",
        };
        lines.AddRange(Cases.ToList()
            .OrderBy(c => Array.IndexOf(ClientOrder, c.Client) is var i and >= 0 ? i : 99).ThenBy(c => c.Client, StringComparer.Ordinal)
            .ThenBy(c => c.Protocol, StringComparer.Ordinal).ThenBy(c => c.Way, StringComparer.Ordinal)
            .Select(c => $"| {c.Client} | {c.Protocol} | {c.Way} | {(c.Noticed ? "yes" : "**no**")} | {c.Signal} | " +
                         $"{(c.CancelToNoticedMs is { } ms ? ms.ToString("0.0", CultureInfo.InvariantCulture) : "-")} | {c.WorkAfterCancel} | {c.Connection} | {c.Note} |"));
        lines.Add("");
        File.WriteAllLines(path, lines);
    }
}
