namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// What a test needs from the machine: a command on PATH (with its Debian package), "postgresql", "python3:module"
/// (a module of Debian's /usr/bin/python3), or "root". A test
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
        ["node"] = "nodejs",
        ["firefox-esr"] = "firefox-esr",
        ["puppeteer-core"] = "nodejs npm, then in tests/firefox: PUPPETEER_SKIP_DOWNLOAD=1 npm ci",
        ["python3:httpx"] = "python3-httpx",
        ["python3:h2"] = "python3-h2",
        ["python3:aiohttp"] = "python3-aiohttp",
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

    /// <summary>Debian's own python3 (/usr/bin/python3, not whatever else is first on PATH) can import <paramref name="module"/>.</summary>
    public static bool HasPythonModule(string module) => PythonModules.GetOrAdd(module, m =>
    {
        if (!File.Exists(DebianPython))
        {
            return false;
        }
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(DebianPython, ["-c", $"import {m}"]) { RedirectStandardError = true });
        process!.WaitForExit(30_000);
        return process.ExitCode == 0;
    });

    /// <summary>The python the client samples run with (their #! line).</summary>
    public const string DebianPython = "/usr/bin/python3";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> PythonModules = new(StringComparer.Ordinal);

    /// <summary>Why a test needing <paramref name="needs"/> cannot run here, or null when it can.</summary>
    public static string? SkipReason(IEnumerable<string> needs)
    {
        var missing = needs.Where(n => n switch
        {
            "root" => !IsRoot,
            "postgresql" => !HasPostgres,
            "puppeteer-core" => !Directory.Exists(RepositoryFiles.Path("tests", "firefox", "node_modules", "puppeteer-core")),
            _ when n.StartsWith("python3:", StringComparison.Ordinal) => !HasPythonModule(n["python3:".Length..]),
            _ => Find(n) is null,
        }).ToList();
        if (missing.Count == 0)
        {
            return null;
        }
        var packages = missing.Where(n => n != "root").Select(n => Packages.GetValueOrDefault(n, n)).Distinct().ToList();
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
