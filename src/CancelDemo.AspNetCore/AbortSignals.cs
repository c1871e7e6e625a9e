namespace CancelDemo.AspNetCore;

/// <summary>How an abort reached the server, as a ledger entry's abortSignal spells it.</summary>
public static class AbortSignals
{
    /// <summary>The client closed the connection.</summary>
    public const string Fin = Transport.ConnectionSignal.Fin;

    /// <summary>The client reset the connection.</summary>
    public const string Rst = Transport.ConnectionSignal.Rst;

    /// <summary>An HTTP/2 stream reset on a connection that lives on.</summary>
    public const string RstStream = "RST_STREAM";

    /// <summary>The peer stopped answering and the server gave up on it.</summary>
    public const string Silence = Transport.ConnectionSignal.Silence;

    /// <summary>A request timeout (ASP.NET Core's request timeouts) fired.</summary>
    public const string Timeout = "timeout";

    /// <summary>The host was stopping.</summary>
    public const string Shutdown = "shutdown";

    /// <summary>Not a value of the ledger: the FIN or RST is on its way to the transport's reader.</summary>
    public const string Pending = "pending";
}
