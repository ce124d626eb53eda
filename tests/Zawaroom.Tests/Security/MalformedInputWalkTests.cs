using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Security;

/// <summary>
/// Probe finding: some inputs made the app answer 500 (a blob path with ".." once decoded, an overflowing COUNT,
/// an absurd webhook timestamp). This walks every route the app registers (read from its route table, so a new
/// route is walked without anyone adding it here) with malformed ids and malformed bodies, as a site admin and with
/// the operator key so that the handlers themselves are reached, and fails on any 5xx.
/// </summary>
public sealed class MalformedInputWalkTests(TestApp app) : IClassFixture<TestApp>
{
    static readonly string[] BadIds =
    [
        "..%2F..", "..%2F..%2F..%2Fetc%2Fpasswd", "%2E%2E", "..%5C..", "a%00b", "%00", new string('a', 3000),
        "%E9%83%A8%E5%B1%8B%F0%9F%99%82", "%FF%FE", "%25%32%65", "-1", "99999999999999999999999", "%20",
    ];

    static readonly string[] BadJson =
    [
        "{", "[]", "\"text\"", "null", "123", "{\"name\":123,\"email\":[1],\"emails\":\"x\",\"maxUsersCount\":\"many\"}",
        "{\"maxUsersCount\":1e400,\"from\":99999999999999999999999,\"start\":-1e308,\"x\":18446744073709551616}",
        "{\"title\":\"x\",\"start\":\"9999-12-31T23:59:59+14:00\",\"end\":\"0001-01-01T00:00:00-14:00\",\"recurrence\":\"FREQ=DAILY;COUNT=99999999999999999999\",\"exdates\":[1,2]}",
        "{\"title\":\"x\",\"start\":\"2026-12-31\",\"allDay\":true,\"end\":\"9999-12-31\",\"recurrence\":\"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\"}",
        new string('[', 5000) + new string(']', 5000),
        "{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 3000)) + "1" + new string('}', 3001),
        "\uFEFF{\"\u0000\":\"\uD800\"}",
    ];

    static readonly string[] RawTypes = ["application/json", "text/csv", "text/calendar", "image/png", "audio/mpeg", "application/octet-stream"];

    [Fact]
    public async Task No_route_answers_a_malformed_id_or_body_with_a_server_error()
    {
        var site = await app.CreateSite("fuzz_walk");
        var admin = await site.Admin();
        var space = await site.AddSpace();
        var room = await site.AddRoom(space);
        var operatorClient = app.Operator();
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Pattern: e.RoutePattern.RawText!)))
            .Where(e => !e.Pattern.Contains("{*path")) // the SPA's fallback: any path is a page
            .Distinct().ToList();
        Assert.True(endpoints.Count > 40, $"only {endpoints.Count} routes found");

        var requests = new List<(string Name, Func<HttpRequestMessage> Make, HttpClient Client)>();
        foreach (var (method, pattern) in endpoints)
        {
            var client = pattern.StartsWith("/operator") ? operatorClient : admin;
            string Url(Func<string, string> value)
            {
                var path = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{(\w+)[^}]*\}", m => value(m.Groups[1].Value));
                return pattern.StartsWith("/api") ? $"/s/{site.Subdomain}{path}" : path;
            }
            string Valid(string parameter) => parameter switch
            {
                "id" when pattern.Contains("/spaces/") => space,
                "id" or "roomId" => room,
                "sub" => site.Subdomain,
                _ => "x",
            };
            if (pattern.Contains('{'))
                foreach (var bad in BadIds)
                {
                    var url = Url(_ => bad);
                    requests.Add(($"{method} {url}", () => new HttpRequestMessage(new HttpMethod(method), url)
                    { Content = method is "GET" or "DELETE" ? null : new StringContent("{}", Encoding.UTF8, "application/json") }, client));
                }
            if (method is "POST" or "PUT" or "PATCH")
            {
                var url = Url(Valid);
                foreach (var body in BadJson)
                    foreach (var type in RawTypes)
                        requests.Add(($"{method} {url} [{type}] {body[..Math.Min(40, body.Length)]}", () => Body(method, url, body, type), client));
            }
            else
            {
                var url = Url(Valid) + "?from=9999-12-31T00:00:00Z&to=0001-01-01T00:00:00Z&roomId=..%2F..&negotiateVersion=99999999999999999999";
                requests.Add(($"{method} {url}", () => new HttpRequestMessage(new HttpMethod(method), url), client));
            }
        }

        var failures = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (r, ct) =>
        {
            using var request = r.Make();
            // A conditional write needs an If-Match; a malformed one belongs to the walk too.
            if (request.Method == HttpMethod.Put) request.Headers.TryAddWithoutValidation("If-Match", "W/garbage\"");
            try
            {
                using var response = await r.Client.SendAsync(request, ct);
                if ((int)response.StatusCode >= 500)
                    failures.Add($"{(int)response.StatusCode} {r.Name}: {await response.Content.ReadAsStringAsync(ct)}");
            }
            catch (HttpRequestException e)
            {
                failures.Add($"connection error {r.Name}: {e.Message}");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {requests.Count} requests got a server error:\n" + string.Join("\n", failures.OrderBy(f => f).Take(40)));
    }

    static HttpRequestMessage Body(string method, string url, string body, string contentType) =>
        new(new HttpMethod(method), url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = new(contentType) } } };
}
