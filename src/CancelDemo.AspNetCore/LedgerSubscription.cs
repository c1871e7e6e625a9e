using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace CancelDemo.AspNetCore;

/// <summary>One watcher of the ledger's changes, registered from its creation until disposed.</summary>
public sealed class LedgerSubscription(ChannelReader<RequestEntry> reader, Action unsubscribe) : IDisposable
{
    /// <summary>The changes, ending quietly when <paramref name="cancellationToken"/> fires: a watcher leaving is normal.</summary>
    public async IAsyncEnumerable<RequestEntry> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await WaitQuietlyAsync(cancellationToken))
        {
            while (reader.TryRead(out var entry))
            {
                yield return entry;
            }
        }
    }

    /// <summary>Ends the subscription: no more changes are kept for it.</summary>
    public void Dispose() => unsubscribe();

    private async Task<bool> WaitQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await reader.WaitToReadAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
