using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// A measurement, off unless CANCELDEMO_POOL_PROBE names a file: every 50 ms it queues a work item to the test
/// process's thread pool and records how long the item waited to run, then writes the waits when the process exits.
/// It is how the test process's thread-pool minimum was chosen (see the IntegrationTests project file): in-process
/// servers, timers and HTTP/2 all wait on that pool, so a wait here is a wait in every in-process test.
/// </summary>
internal static class PoolProbe
{
    [ModuleInitializer]
    internal static void StartIfAsked()
    {
        if (Environment.GetEnvironmentVariable("CANCELDEMO_POOL_PROBE") is not { Length: > 0 } file)
        {
            return;
        }
        var waits = new List<double>();
        var thread = new Thread(() =>
        {
            while (true)
            {
                var queued = Stopwatch.GetTimestamp();
                ThreadPool.UnsafeQueueUserWorkItem(_ =>
                {
                    var waited = Stopwatch.GetElapsedTime(queued).TotalMilliseconds;
                    lock (waits)
                    {
                        waits.Add(waited);
                    }
                }, null);
                Thread.Sleep(50); // the sampling period: only lets time pass
            }
        }) { IsBackground = true, Name = "pool probe" };
        thread.Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (waits)
            {
                ThreadPool.GetMinThreads(out var minWorkers, out _);
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"samples {waits.Count}, min threads {minWorkers}, over 100 ms {waits.Count(w => w > 100)}, over 500 ms {waits.Count(w => w > 500)}, max {(waits.Count > 0 ? waits.Max() : 0):0} ms");
                File.AppendAllText(file, line + Environment.NewLine);
            }
        };
    }
}
