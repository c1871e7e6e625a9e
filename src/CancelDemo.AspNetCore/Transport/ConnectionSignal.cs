namespace CancelDemo.AspNetCore.Transport;

/// <summary>
/// How one connection's peer ended it, as the transport saw it (a connection feature, set by <see cref="InputPump"/>):
/// "FIN" (it closed its side), "RST" (it reset the connection) or "silence" (the kernel gave up on it: ETIMEDOUT).
/// </summary>
public sealed class ConnectionSignal
{
    /// <summary>The peer closed its side of the connection.</summary>
    public const string Fin = "FIN";

    /// <summary>The peer reset the connection.</summary>
    public const string Rst = "RST";

    /// <summary>The kernel gave up on the peer (ETIMEDOUT): it stopped answering.</summary>
    public const string Silence = "silence";

    private readonly object _gate = new();
    private string? _closedWith;
    private bool _ended;
    private TaskCompletionSource<string?>? _waiting;

    /// <summary>FIN, RST or silence once the transport has read the peer's end, else null.</summary>
    public string? ClosedWith
    {
        get
        {
            lock (_gate)
            {
                return _closedWith;
            }
        }
    }

    /// <summary>
    /// The transport's word on how the peer ended the connection, once its input has ended; null if it ended without
    /// one (the server closed it first) or nothing came within <paramref name="bound"/>.
    /// </summary>
    public async Task<string?> ClosedAsync(TimeSpan bound)
    {
        Task<string?> ended;
        lock (_gate)
        {
            if (_ended)
            {
                return _closedWith;
            }
            _waiting ??= new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            ended = _waiting.Task;
        }
        try
        {
            return await ended.WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>The transport's input ended: with the peer's <paramref name="signal"/>, or null when it was not the peer's doing.</summary>
    internal void InputEnded(string? signal)
    {
        TaskCompletionSource<string?>? waiting;
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }
            (_ended, _closedWith, waiting) = (true, signal, _waiting);
        }
        waiting?.TrySetResult(signal);
    }
}
