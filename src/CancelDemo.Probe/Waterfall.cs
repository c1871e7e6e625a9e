using System.Globalization;
using Spectre.Console;

namespace CancelDemo.Probe;

/// <summary>One lane of a waterfall: a hop, or the database, and when (ms after the client's cancel) it noticed and stopped.</summary>
/// <param name="Lane">client, edge, hop 1, ..., database.</param>
/// <param name="Protocol">What reached it: HTTP/1.1, HTTP/2, or the statement's client library.</param>
/// <param name="NoticedMs">The abort reached it: RequestAborted fired (a hop), the cancel request was sent (the database).</param>
/// <param name="StoppedMs">Its work stopped: the handler's loop or call (a hop), the statement's end (the database).</param>
/// <param name="What">How it ended.</param>
public sealed record WaterfallLane(string Lane, string Protocol, double? NoticedMs, double? StoppedMs, string What);

/// <summary>A cancelled /chain, hop by hop: did the abort reach every process and the database, and when.</summary>
/// <param name="ReachedLeaf">The chain was read down to its leaf (the last entry called no further hop).</param>
public sealed record Waterfall(string Client, string Downstream, string Leaf, string RequestId, IReadOnlyList<WaterfallLane> Lanes, bool? HopConnectionKept,
    bool ReachedLeaf = true)
{
    /// <summary>The chain was read to its leaf, every hop recorded the client's abort and every statement was cancelled.</summary>
    public bool AllStopped => ReachedLeaf && Lanes.Count >= 2 && Lanes.All(l => l.Lane == "client" || l.StoppedMs is not null);

    /// <summary>The lanes of a chain read from the ledger, relative to the client's cancel.</summary>
    public static Waterfall From(string client, string downstream, string leaf, string id, DateTimeOffset cancelledAt, IReadOnlyList<ServerEntry> chain, bool? hopConnectionKept)
    {
        double? Ms(DateTimeOffset? at) => at is { } t ? (t - cancelledAt).TotalMilliseconds : null;
        List<WaterfallLane> lanes = [new("client", client, 0, 0, "cancelled")];
        for (var i = 0; i < chain.Count; i++)
        {
            var entry = chain[i];
            var stopped = entry.Outcome == "clientAborted" ? entry.StoppedAt : null;
            var call = entry.Downstream is { } d ? $", its call {d.Ending ?? "running"}" : "";
            lanes.Add(new(i == 0 ? "edge" : $"hop {i}", entry.Protocol, Ms(entry.AbortObservedAt), Ms(stopped), $"{entry.Outcome} {entry.StatusCode}{call}"));
            if (entry.Query is { } q)
            {
                var cancelled = q.Ending is "cancelled" or "broken";
                lanes.Add(new("database", q.Api, Ms(q.CancelRequestedAt), cancelled ? Ms(q.EndedAt) : null,
                    $"backend {q.BackendPid}: {q.Ending ?? "running"}{(q.SqlState is { } s ? $" ({s})" : "")}"));
            }
        }
        return new Waterfall(client, downstream, leaf, id, lanes, hopConnectionKept, chain.Count > 0 && chain[^1].Downstream is null);
    }

    /// <summary>The waterfall as a table, with a bar for each lane from 0 to its stop.</summary>
    public Table ToTable()
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"Waterfall: client {Markup.Escape(Client)} → hops {Markup.Escape(Downstream)} → {Markup.Escape(Leaf)} (ms after the client's cancel)");
        foreach (var column in new[] { "lane", "protocol", "noticed ms", "stopped ms", "timeline (● noticed, ■ stopped)", "what happened" })
        {
            table.AddColumn(column);
        }
        var end = Math.Max(1, Lanes.Max(l => l.StoppedMs ?? l.NoticedMs ?? 0));
        foreach (var lane in Lanes)
        {
            table.AddRow(Markup.Escape(lane.Lane), Markup.Escape(lane.Protocol), Number(lane.NoticedMs), Number(lane.StoppedMs), Bar(lane, end), Markup.Escape(lane.What));
        }
        if (HopConnectionKept is { } kept)
        {
            table.Caption(kept ? "the hop's connection was kept: the next call arrived on it" : "the hop's connection was closed: the next call opened a new one");
        }
        return table;
    }

    public static string Number(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Bar(WaterfallLane lane, double end)
    {
        const int Width = 30;
        int At(double? ms) => ms is { } v ? Math.Clamp((int)Math.Round(v / end * Width), 0, Width) : -1;
        var noticed = At(lane.NoticedMs);
        var stopped = At(lane.StoppedMs);
        var bar = new char[Width + 1];
        for (var i = 0; i <= Width; i++)
        {
            bar[i] = stopped >= 0 && i > noticed && i < stopped ? '━' : ' ';
        }
        if (noticed >= 0)
        {
            bar[noticed] = '●';
        }
        if (stopped >= 0)
        {
            bar[stopped] = '■';
        }
        return Markup.Escape(new string(bar).TrimEnd());
    }
}
