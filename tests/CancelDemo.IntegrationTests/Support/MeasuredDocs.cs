namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// Where a measured table goes: with CANCELDEMO_WRITE_DOCS=1 it replaces docs/NAME in the repository (a run
/// that regenerates the docs); otherwise it is written next to the test output, so an ordinary run never
/// changes the repository.
/// </summary>
public static class MeasuredDocs
{
    public static bool WritesDocs { get; } = Environment.GetEnvironmentVariable("CANCELDEMO_WRITE_DOCS") == "1";

    public static string PathOf(string name) =>
        WritesDocs ? RepositoryFiles.Path("docs", name) : Path.Combine(ChromiumFixture.ArtifactDirectory, "..", name);
}
