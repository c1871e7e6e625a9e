using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace CancelDemo.Server.Tests;

/// <summary>X-Request-Id is the ledger id and is echoed back; a bad one is refused, not silently replaced.</summary>
public sealed class RequestIdTests(InProcessServer server) : IClassFixture<InProcessServer>
{
    [Fact]
    public async Task ClientRequestIdIsEchoedAndNamesTheLedgerEntry()
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/http1?iterations=1&stepMs=1");
        request.Headers.Add("X-Request-Id", "my-id.1");

        using var response = await client.SendAsync(request);
        var entry = await client.GetFromJsonAsync<JsonElement>("/requests/my-id.1");

        Assert.Equal("my-id.1", Assert.Single(response.Headers.GetValues("X-Request-Id")));
        Assert.Equal("completed", entry.GetProperty("outcome").GetString());
        Assert.Equal(200, entry.GetProperty("statusCode").GetInt32());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", entry.GetProperty("startedAt").GetString());
    }

    [Fact]
    public async Task RequestWithoutAnIdGetsOneMadeByTheServer()
    {
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/http1?iterations=1&stepMs=1");

        var id = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        using var entry = await client.GetAsync($"/requests/{Uri.EscapeDataString(id)}");
        Assert.Equal(HttpStatusCode.OK, entry.StatusCode);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("slash/inside")]
    public async Task MalformedRequestIdAnswers400NamingTheHeader(string id)
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/http1?iterations=1&stepMs=1");
        request.Headers.TryAddWithoutValidation("X-Request-Id", id);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Contains("X-Request-Id", problem!.Errors.Keys);
    }
}
