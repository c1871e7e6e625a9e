// A bare Kestrel peer for the benchmark: the seed's loop and a dictionary, nothing else.
// Usage: BareKestrel --http1 PORT --https PORT --h2c PORT --cert PEM --key PEM
using System.Net;
using System.Security.Cryptography.X509Certificates;
using BareKestrel;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var options = PeerOptions.Parse(args);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.Services.AddSingleton<Ledger>();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new UtcMicroseconds()));
builder.WebHost.ConfigureKestrel(kestrel =>
{
    var certificate = X509Certificate2.CreateFromPemFile(options.Cert, options.Key);
    kestrel.Listen(IPAddress.Loopback, options.Http1, l => l.Protocols = HttpProtocols.Http1);
    kestrel.Listen(IPAddress.Loopback, options.Https, l =>
    {
        l.Protocols = HttpProtocols.Http1AndHttp2;
        l.UseHttps(certificate);
    });
    kestrel.Listen(IPAddress.Loopback, options.H2c, l => l.Protocols = HttpProtocols.Http2);
});

var app = builder.Build();
app.MapGet("/http1", Work.RunAsync);
app.MapGet("/http2", Work.RunAsync);
app.MapGet("/requests/{id}", (string id, Ledger ledger) =>
    ledger.Find(id) is { } entry ? Results.Ok(entry) : Results.NotFound());
app.MapGet("/healthz", () => Results.Ok());

await app.StartAsync();
Console.WriteLine("listening");
await app.WaitForShutdownAsync();
