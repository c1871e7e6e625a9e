using CancelDemo.Server.Web;
using Microsoft.Extensions.Configuration.Memory;

namespace CancelDemo.Server.Hosting;

/// <summary>
/// The server's defaults (listeners and logging), as the lowest-priority configuration source: they
/// hold wherever the server is started from, even without appsettings.json beside the working
/// directory, and appsettings.json, environment variables and the command line still override them.
/// </summary>
public static class Defaults
{
    public const string LogTemplate = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:l}{NewLine}{Exception}";

    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Kestrel:Endpoints:Http1:Url"] = "http://localhost:8080",
        ["Kestrel:Endpoints:Http1:Protocols"] = "Http1",
        ["Kestrel:Endpoints:Https:Url"] = "https://localhost:8081",
        ["Kestrel:Endpoints:Https:Protocols"] = "Http1AndHttp2",
        ["Kestrel:Endpoints:H2c:Url"] = "http://localhost:8082",
        ["Kestrel:Endpoints:H2c:Protocols"] = "Http2",
        ["AllowedHosts"] = AllowedHosts.Loopback,
        ["Serilog:MinimumLevel:Default"] = "Information",
        ["Serilog:MinimumLevel:Override:Microsoft"] = "Warning",
        ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Information",
        ["Serilog:MinimumLevel:Override:System"] = "Warning",
        ["Serilog:MinimumLevel:Override:Npgsql"] = "Warning",
    };

    public static WebApplicationBuilder AddCancelDemoDefaults(this WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Settings });
        return builder;
    }
}
