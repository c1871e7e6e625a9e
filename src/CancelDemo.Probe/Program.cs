namespace CancelDemo.Probe;

internal static class Program
{
    private static Task<int> Main(string[] args) => ProbeCommand.Create().Parse(args).InvokeAsync();
}
