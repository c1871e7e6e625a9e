using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Swashbuckle.AspNetCore.Swagger;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CancelDemo.Server.Tests;

/// <summary>Swagger describes every endpoint with its parameters and statuses; health answers.</summary>
public sealed class ServiceEndpointsTests(InProcessServer server) : IClassFixture<InProcessServer>
{
    [Fact]
    public async Task SwaggerDescribesEveryEndpointWithTypedParametersAndStatuses()
    {
        using var client = server.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"));

        var paths = document.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/http1", "/http2", "/download", "/stream", "/requests", "/requests/{id}", "/requests/events", "/query", "/chain", "/requests/{id}/chain" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is documented");
        }
        var http1 = paths.GetProperty("/http1").GetProperty("get");
        var iterations = http1.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "iterations");
        Assert.Equal("integer", iterations.GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal(1000, iterations.GetProperty("schema").GetProperty("maximum").GetInt32());
        var statuses = http1.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
        Assert.Superset(new HashSet<string> { "200", "400", "499" }, statuses.ToHashSet());
        var chain = paths.GetProperty("/chain").GetProperty("get").GetProperty("parameters").EnumerateArray().ToList();
        var protocol = chain.Single(p => p.GetProperty("name").GetString() == "downstreamProtocol").GetProperty("schema");
        Assert.Equal(["1.1", "2", "h2c"], protocol.GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        Assert.Contains(chain, p => p.GetProperty("name").GetString() == "propagate" && p.GetProperty("schema").GetProperty("type").GetString() == "boolean");
    }

    [Fact]
    public async Task TheOpenApiDocumentNamesEveryStatusEachEndpointCanAnswer()
    {
        // What each endpoint really answers: 400 a bad query value, 409 an X-Request-Id in use, 499 a client gone,
        // 502 a next hop that failed, 503 a host stopping (or no database, or an unhealthy server), 504 timeoutMs.
        var expected = new Dictionary<string, string[]>
        {
            ["/http1"] = ["200", "400", "409", "499", "503", "504"],
            ["/http2"] = ["200", "400", "409", "499", "503", "504"],
            ["/download"] = ["200", "400", "409", "499", "503"],
            ["/stream"] = ["200", "400", "409", "499", "503"],
            ["/query"] = ["200", "400", "409", "499", "503"],
            ["/chain"] = ["200", "400", "409", "499", "502", "503", "504"],
            ["/requests"] = ["200", "400"],
            ["/requests/{id}"] = ["200", "404"],
            ["/requests/events"] = ["200"],
            ["/requests/{id}/chain"] = ["200", "404"],
            ["/listeners"] = ["200"],
            ["/healthz"] = ["200", "503"],
        };
        using var client = server.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"));

        var documented = document.RootElement.GetProperty("paths").EnumerateObject().ToDictionary(
            p => p.Name, p => p.Value.GetProperty("get").GetProperty("responses").EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, statuses) in expected)
        {
            Assert.True(statuses.SequenceEqual(documented[path]), $"{path}: documented {string.Join(", ", documented[path])}, answers {string.Join(", ", statuses)}");
        }
    }

    [Fact]
    public async Task HealthzAnswersHealthy()
    {
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OnlyARequestForSwaggerBuildsTheSwaggerGenerator()
    {
        // Swashbuckle's middleware takes a generator (a transient service, in a request scope of its own) for every
        // request it sees: in a storm of a thousand aborts, a thousand generators nobody asked for.
        var built = 0;
        await using var counted = server.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            services.AddTransient<SwaggerGenerator>();
            services.AddTransient<ISwaggerProvider>(sp =>
            {
                Interlocked.Increment(ref built);
                return sp.GetRequiredService<SwaggerGenerator>();
            });
        }));
        using var client = counted.CreateClient();

        (await client.GetAsync("/healthz")).Dispose();
        (await client.GetAsync("/requests")).Dispose();
        var outside = Volatile.Read(ref built);
        using var document = await client.GetAsync("/swagger/v1/swagger.json");

        Assert.Equal(0, outside);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.True(Volatile.Read(ref built) > 0, "the Swagger document was built by the counted generator");
    }
}
