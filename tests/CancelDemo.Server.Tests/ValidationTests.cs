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

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
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
