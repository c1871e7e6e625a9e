// YARP 2.3 in front of CancelDemo: the routes and clusters are in appsettings.json; run.sh fills in the addresses
// (ReverseProxy__Clusters__<name>__Destinations__server__Address), the port and the certificate from the environment.
//
// Clients: HTTPS on PROXY_PORT, HTTP/2 or HTTP/1.1 by ALPN. Upstream, what YARP really speaks:
//   /http1  HTTP/1.1                  /http2  HTTP/2 over TLS          /h2c/  HTTP/2 cleartext (RequestVersionExact)
// and YARP's two timeouts, each 1 s, in front of the HTTP/1.1 listener:
//   /timeout/  the route's Timeout (ASP.NET Core's request timeouts)    /idle/  the cluster's ActivityTimeout
// What decides whether a client's abort reaches the server: nothing to set. The forwarder links the upstream call to
// the client's RequestAborted, so a client that goes away cancels it.
using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

string[] needed = ["CERT", "KEY", "PROXY_PORT", "OUT"];
if (needed.Where(n => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(n))).ToList() is { Count: > 0 } missing)
{
    Console.Error.WriteLine($"CancelDemo.Yarp: {string.Join(", ", missing)} not set; start it with samples/proxies/run.sh yarp");
    return 1;
}
if (!int.TryParse(Environment.GetEnvironmentVariable("PROXY_PORT"), out var port) || port is < 1 or > 65535)
{
    Console.Error.WriteLine($"CancelDemo.Yarp: PROXY_PORT must be a port (1-65535), not '{Environment.GetEnvironmentVariable("PROXY_PORT")}'");
    return 1;
}
var builder = WebApplication.CreateBuilder(args);
var certificate = X509Certificate2.CreateFromPemFile(Environment.GetEnvironmentVariable("CERT")!, Environment.GetEnvironmentVariable("KEY"));
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port, listen =>
{
    listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
    listen.UseHttps(certificate);
}));
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    // The upstream's TLS listener has the same self-signed certificate as this proxy: trust exactly that one.
    .ConfigureHttpClient((_, handler) => handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, errors) =>
        errors == SslPolicyErrors.None || presented?.GetCertHashString() == certificate.GetCertHashString());

builder.Services.AddRequestTimeouts(); // a route's Timeout is applied by this middleware

var app = builder.Build();
app.UseRequestTimeouts();
var accessLog = Path.Combine(Environment.GetEnvironmentVariable("OUT")!, "access.log");
var gate = new object();
// One line per request, as the other proxies write theirs: "X-Request-Id status ms protocol".
app.Use(async (context, next) =>
{
    var started = Stopwatch.GetTimestamp();
    try
    {
        await next(context);
    }
    finally
    {
        var id = context.Request.Headers["X-Request-Id"].ToString();
        var line = $"{(id.Length == 0 ? "-" : id)} {context.Response.StatusCode} {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} {context.Request.Protocol}";
        lock (gate)
        {
            File.AppendAllLines(accessLog, [line]);
        }
    }
});
app.MapReverseProxy();
app.Run();
return 0;
