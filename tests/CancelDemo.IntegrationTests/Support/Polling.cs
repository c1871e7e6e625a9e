namespace CancelDemo.IntegrationTests.Support;

public static class Polling
{
    /// <summary>
    /// Asks <paramref name="condition"/> every 100 ms until it holds; a TimeoutException after <paramref name="bound"/>. For what
    /// offers no change signal (the dashboard's API, another process's ledger over GET, a proxy's log file): the wait ends
    /// on the condition, the delay only spaces the looks.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the condition did not hold within {bound.TotalSeconds:0} s");
            }
            await Task.Delay(100);
        }
    }
}
