using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace CancelDemo.Server.Tests;

/// <summary>/query and /chain: what a client learns before any database or next hop is involved.</summary>
public sealed class DownstreamEndpointsTests(InProcessServer server) : IClassFixture<InProcessServer>
{
    [Fact]
    public async Task QueryWithoutADatabaseAnswers503SayingHowToStartOne()
    {
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/query?seconds=1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal("No database configured", problem!.Title);
        Assert.Contains("samples/postgres/run.sh", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:Postgres", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/query?kind=gpu&seconds=0&api=jdbc&propagate=maybe", new[] { "kind", "seconds", "api", "propagate" })]
    [InlineData("/chain?hops=6&downstreamProtocol=3&leaf=file", new[] { "hops", "downstreamProtocol", "leaf" })]
    [InlineData("/chain?hops=1&iterations=0&seconds=301", new[] { "iterations", "seconds" })]
    public async Task BadDownstreamParametersAnswer400NamingEachField(string url, string[] fields)
    {
        using var client = server.CreateClient();

        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Equal(fields.Order(), problem!.Errors.Keys.Order());
    }

    [Fact]
    public async Task MalformedParentRequestIdAnswers400NamingTheHeader()
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/http1?iterations=1&stepMs=1");
        request.Headers.TryAddWithoutValidation("X-Parent-Request-Id", "bad id");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Contains("X-Parent-Request-Id", problem!.Errors.Keys);
    }

    [Fact]
    public async Task UnknownChainAnswers404()
    {
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/requests/no-such-request/chain");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
