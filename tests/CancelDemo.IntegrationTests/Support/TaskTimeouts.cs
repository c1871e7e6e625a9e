namespace CancelDemo.IntegrationTests.Support;

/// <summary>Every wait in the tests is bounded; these bounds are generous so a busy machine never flakes.</summary>
public static class TaskTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static Task<T> DefaultTimeout<T>(this Task<T> task) => task.WaitAsync(Default);

    public static Task DefaultTimeout(this Task task) => task.WaitAsync(Default);
}
