using System.Net;
using CancelDemo.IntegrationTests.Support;
using Microsoft.Extensions.Logging;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// Client mistakes on real sockets, as a fuzzer sends them: each gets its own 4xx (never a 500), and none is
/// logged above Information. Bad query values are covered value by value in CancelDemo.Server.Tests.ValidationTests.
/// </summary>
public sealed class BadRequestTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    public static TheoryData<string, string, int, int, HttpStatusCode> Cases => new()
    {
        // method, path and query, extra header bytes, query padding bytes, expected status
        { "POST", "/http1", 0, 0, HttpStatusCode.MethodNotAllowed },
        { "DELETE", "/requests", 0, 0, HttpStatusCode.MethodNotAllowed },
        { "PUT", "/download", 0, 0, HttpStatusCode.MethodNotAllowed },
        { "GET", "/http1?iterations=1&stepMs=1", 64 * 1024, 0, HttpStatusCode.RequestHeaderFieldsTooLarge },
        { "GET", "/http1?iterations=1&stepMs=1", 0, 64 * 1024, HttpStatusCode.RequestUriTooLong },
        { "GET", "/http1?work=5", 0, 0, HttpStatusCode.BadRequest },
        { "GET", "/http1?iterations=1%00", 0, 0, HttpStatusCode.BadRequest },
        { "GET", "/http1?work=delay&work=cpu", 0, 0, HttpStatusCode.BadRequest },
        { "GET", "/requests/no-such-request", 0, 0, HttpStatusCode.NotFound },
        { "GET", "/no-such-endpoint", 0, 0, HttpStatusCode.NotFound },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ClientMistakeGetsItsOwnStatusAndIsLoggedQuietly(string method, string pathAndQuery, int headerBytes, int queryBytes, HttpStatusCode expected)
    {
        using var client = server.CreateClient(Transport.Http1);
        var target = queryBytes == 0 ? pathAndQuery : $"{pathAndQuery}&pad={new string('x', queryBytes)}";
        using var request = new HttpRequestMessage(new HttpMethod(method), target);
        if (headerBytes > 0)
        {
            request.Headers.Add("X-Padding", new string('x', headerBytes));
        }
        var before = server.Logs.Events.Count;

        using var response = await client.SendAsync(request).DefaultTimeout();

        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain(server.Logs.Events.Skip(before), e => e.Level >= LogLevel.Warning);
    }
}
