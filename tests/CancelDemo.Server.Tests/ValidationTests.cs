using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace CancelDemo.Server.Tests;

/// <summary>Bad query values give 400 ProblemDetails naming every bad field at once.</summary>
public sealed class ValidationTests(InProcessServer server) : IClassFixture<InProcessServer>
{
    public static TheoryData<string, string[]> BadQueries => new()
    {
        { "/http1?iterations=abc", ["iterations"] },
        { "/http1?iterations=0", ["iterations"] },
        { "/http1?iterations=1001", ["iterations"] },
        { "/http2?stepMs=-5", ["stepMs"] },
        { "/http2?stepMs=60001", ["stepMs"] },
        { "/http1?work=gpu", ["work"] },
        { "/http1?timeoutMs=0", ["timeoutMs"] },
        { "/http1?timeoutMs=1.5", ["timeoutMs"] },
        { "/http1?iterations=x&stepMs=0&work=y&timeoutMs=-1", ["iterations", "stepMs", "work", "timeoutMs"] },
        { "/download?delayMs=-1&sizeMb=0", ["delayMs", "sizeMb"] },
        { "/download?sizeMb=1025", ["sizeMb"] },
        { "/stream?chunkBytes=0&intervalMs=x&durationMs=3600001", ["chunkBytes", "intervalMs", "durationMs"] },
        { "/requests?limit=0", ["limit"] },
        { "/requests?limit=many", ["limit"] },
        // Numbers are not kind names, whatever enum value they happen to match.
        { "/http1?work=5", ["work"] },
        { "/http1?work=-1", ["work"] },
        { "/http1?work=2", ["work"] },
        { "/http1?work=99", ["work"] },
        { "/http1?work=0", ["work"] },
        // Padding, lists and control characters are not values.
        { "/http1?work=%20cpu%20", ["work"] },
        { "/http1?work=delay,cpu", ["work"] },
        { "/http1?work=cpu%00", ["work"] },
        { "/http1?iterations=1%00", ["iterations"] },
        { "/http1?iterations=%201", ["iterations"] },
        { "/http1?iterations=1%20", ["iterations"] },
        { "/http1?iterations=+1", ["iterations"] },
        { "/http1?iterations=%EF%BC%95", ["iterations"] }, // a full-width 5
        { "/http1?iterations=1e2", ["iterations"] },
        { "/http1?iterations=0x10", ["iterations"] },
        { "/http1?iterations=99999999999999999999", ["iterations"] },
        { "/http1?iterations=", ["iterations"] },
        // One value per parameter.
        { "/http1?work=delay&work=cpu", ["work"] },
        { "/http1?iterations=1&iterations=1", ["iterations"] },
        { "/stream?intervalMs=10&intervalMs=20&chunkBytes=1,2", ["intervalMs", "chunkBytes"] },
        { "/requests?limit=5&limit=6", ["limit"] },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task BadQueryValuesAnswer400NamingEachBadField(string url, string[] fields)
    {
        using var client = server.CreateClient();

        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Equal(fields.Order(), problem!.Errors.Keys.Order());
    }

    [Fact]
    public async Task GoodValuesAtTheEdgesOfTheRangesAreAccepted()
    {
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/http1?iterations=1&stepMs=1&work=CPU&timeoutMs=3600000");
        using var negativeZeroDelay = await client.GetAsync("/download?delayMs=-0&sizeMb=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, negativeZeroDelay.StatusCode);
    }

    [Fact]
    public async Task UnknownLedgerIdAnswers404Problem()
    {
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/requests/no-such-request");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains("no-such-request", problem!.Detail, StringComparison.Ordinal);
    }
}
