using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Kestrel;

/// <summary>
/// TLS with no set-up: a self-signed certificate for localhost, made once and kept in the state
/// folder, with its PEM beside it so clients can trust exactly it (curl --cacert) instead of
/// turning verification off.
/// </summary>
public sealed partial class LocalhostCertificate(IOptions<TlsOptions> options, TimeProvider clock, ILogger<LocalhostCertificate> logger)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(7);
    private readonly Lazy<X509Certificate2> _certificate = new(() => LoadOrCreate(options.Value.StateDirectory, clock, logger));

    public string PemPath => PemPathIn(options.Value.StateDirectory);

    /// <summary>The private key as PEM (mode 0600), for the sample proxies to serve TLS with the same certificate.</summary>
    public string KeyPemPath => KeyPemPathIn(options.Value.StateDirectory);

    public X509Certificate2 Certificate => _certificate.Value;

    public bool IsCreated => _certificate.IsValueCreated;

    private static string PfxPathIn(string directory) => Path.Combine(directory, "localhost.pfx");

    private static string PemPathIn(string directory) => Path.Combine(directory, "localhost.pem");

    private static string KeyPemPathIn(string directory) => Path.Combine(directory, "localhost-key.pem");

    private static X509Certificate2 LoadOrCreate(string directory, TimeProvider clock, ILogger logger)
    {
        // Owner-only from the start: it holds the private key. An existing folder is left as its owner made it.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        // Two servers starting at once (two terminals, parallel tests) must not each make a certificate:
        // the second would replace the PEM the first one's clients trust.
        using var exclusive = LockStateDirectory(directory);
        var pfxPath = PfxPathIn(directory);
        if (File.Exists(pfxPath))
        {
            var existing = X509CertificateLoader.LoadPkcs12FromFile(pfxPath, password: null);
            if (existing.HasPrivateKey && existing.NotAfter - RenewBefore > clock.GetLocalNow().DateTime && File.Exists(PemPathIn(directory)) && File.Exists(KeyPemPathIn(directory)))
            {
                return existing;
            }
            existing.Dispose();
        }

        var created = Create(clock.GetUtcNow());
        // Write to a temporary name and move, so a second process never reads half a file.
        WriteAtomically(pfxPath, created.Export(X509ContentType.Pkcs12), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteAtomically(PemPathIn(directory), System.Text.Encoding.ASCII.GetBytes(created.ExportCertificatePem() + "\n"));
        using (var key = created.GetECDsaPrivateKey()!)
        {
            WriteAtomically(KeyPemPathIn(directory), System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem() + "\n"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        LogCreated(logger, PemPathIn(directory));
        return created;
    }

    private static X509Certificate2 Create(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var ephemeral = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(Lifetime));
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
    }

    private static FileStream LockStateDirectory(string directory)
    {
        var path = Path.Combine(directory, "localhost.lock");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50); // another process is making the certificate; start-up only
            }
        }
    }

    /// <summary>
    /// Writes a temporary file created with <paramref name="mode"/> from its first moment (a key must never
    /// exist world-readable, not even between a write and a chmod), then moves it into place.
    /// </summary>
    private static void WriteAtomically(string path, byte[] content, UnixFileMode? mode = null)
    {
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (mode is { } m && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = m;
        }
        using (var file = new FileStream(temporary, options))
        {
            file.Write(content);
        }
        File.Move(temporary, path, overwrite: true);
    }

    [LoggerMessage(20, LogLevel.Information, "Created a self-signed certificate for localhost; its PEM is {PemPath}")]
    private static partial void LogCreated(ILogger logger, string pemPath);
}
