namespace CancelDemo.IntegrationTests.Support;

/// <summary>Every wait in the tests is bounded; these bounds are generous so a busy machine never flakes.</summary>
public static class TaskTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static Task<T> DefaultTimeout<T>(this Task<T> task) => task.WaitAsync(Default);

    public static Task DefaultTimeout(this Task task) => task.WaitAsync(Default);
}

/// <summary>Theory data shared by the test classes.</summary>
public static class TestData
{
    public static TheoryData<Transport> Transports() => new(Transport.Http1, Transport.Https, Transport.H2c);
}
