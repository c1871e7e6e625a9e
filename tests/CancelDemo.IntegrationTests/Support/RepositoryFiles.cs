namespace CancelDemo.IntegrationTests.Support;

/// <summary>Files of the repository (samples, configs), found from the test's output folder.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "CancelDemo.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"CancelDemo.sln not found above {AppContext.BaseDirectory}");
    }
}
