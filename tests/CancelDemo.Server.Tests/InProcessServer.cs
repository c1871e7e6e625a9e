using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CancelDemo.Server.Tests;

/// <summary>The server on TestServer: for what does not depend on sockets or protocols.</summary>
public sealed class InProcessServer : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.UseSetting("Tls:StateDirectory", Path.Combine(Path.GetTempPath(), "canceldemo-tests-state"));
}
