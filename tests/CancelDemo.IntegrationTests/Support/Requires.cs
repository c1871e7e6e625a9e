namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// What a test needs from the machine: a command on PATH (with its Debian package), "postgresql", or "root". A test
/// whose needs are missing is skipped with the install command in the reason; ./test.sh installs every
/// tool, and under CI a skip fails the run, so nothing is silently untested.
/// </summary>
public static class Requires
{
    /// <summary>command → the Debian package that provides it.</summary>
    private static readonly Dictionary<string, string> Packages = new(StringComparer.Ordinal)
    {
        ["curl"] = "curl",
        ["chromium"] = "chromium",
        ["iptables"] = "iptables",
        ["nginx"] = "nginx-light",
        ["haproxy"] = "haproxy",
        ["caddy"] = "caddy",
        ["h2o"] = "h2o",
        ["strace"] = "strace",
        ["ss"] = "iproute2",
        ["pgbouncer"] = "pgbouncer",
        ["postgresql"] = "postgresql",
    };

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>PostgreSQL's server programs: on PATH, or where Debian puts them (/usr/lib/postgresql/N/bin).</summary>
    public static bool HasPostgres => Find("initdb") is not null
        || (Directory.Exists("/usr/lib/postgresql") && Directory.GetDirectories("/usr/lib/postgresql").Any(d => File.Exists(Path.Combine(d, "bin", "initdb"))));

    public static string? Find(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, command))
            .FirstOrDefault(File.Exists);

    /// <summary>Why a test needing <paramref name="needs"/> cannot run here, or null when it can.</summary>
    public static string? SkipReason(IEnumerable<string> needs)
    {
        var missing = needs.Where(n => n switch
        {
            "root" => !IsRoot,
            "postgresql" => !HasPostgres,
            _ => Find(n) is null,
        }).ToList();
        if (missing.Count == 0)
        {
            return null;
        }
        var packages = missing.Where(n => n != "root").Select(n => Packages.GetValueOrDefault(n, n)).ToList();
        var reasons = new List<string>();
        if (missing.Contains("root"))
        {
            reasons.Add("needs root (iptables, network namespaces): run ./test.sh as root, as CI does");
        }
        if (packages.Count > 0)
        {
            reasons.Add($"{string.Join(", ", missing.Where(n => n != "root"))} not on PATH; install with: apt-get install -y {string.Join(' ', packages)} (./test.sh does this)");
        }
        return string.Join("; ", reasons);
    }
}

/// <summary>A fact that needs some of: a command on PATH, "root".</summary>
public sealed class RequiresFactAttribute : FactAttribute
{
    public RequiresFactAttribute(params string[] needs) => Skip = Requires.SkipReason(needs);
}

/// <summary>A theory that needs some of: a command on PATH, "root".</summary>
public sealed class RequiresTheoryAttribute : TheoryAttribute
{
    public RequiresTheoryAttribute(params string[] needs) => Skip = Requires.SkipReason(needs);
}
