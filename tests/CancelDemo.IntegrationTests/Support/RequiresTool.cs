namespace CancelDemo.IntegrationTests.Support;

/// <summary>Finds system tools on PATH; a test that needs a missing one is skipped with the install command.</summary>
public static class SystemTools
{
    public static string? Find(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, command))
            .FirstOrDefault(File.Exists);

    public static string? MissingReason(string command, string package) =>
        Find(command) is null ? $"{command} is not on PATH; install it with: apt-get install -y {package} (./test.sh does this)" : null;

    public static bool IsRoot => Environment.UserName == "root";
}

/// <summary>A theory that needs <c>command</c> from Debian package <c>package</c>.</summary>
public sealed class RequiresToolTheoryAttribute : TheoryAttribute
{
    public RequiresToolTheoryAttribute(string command, string package) => Skip = SystemTools.MissingReason(command, package);
}
