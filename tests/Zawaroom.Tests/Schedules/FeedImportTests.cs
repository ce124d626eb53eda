using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Zawaroom.Common;
using Zawaroom.Schedules;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Schedules;

/// <summary>A feed server on loopback: a calendar, redirects, a big feed and a slow one.</summary>
public sealed class FeedServer : IAsyncLifetime
{
    public const string Calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//feed//EN\r\nBEGIN:VEVENT\r\nUID:feed-ssrf@example\r\n"
        + "DTSTAMP:20261201T000000Z\r\nDTSTART:20261210T010000Z\r\nDTEND:20261210T020000Z\r\nSUMMARY:定例\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    WebApplication? _app;
    public string BaseUrl { get; private set; } = "";
    public int Port => new Uri(BaseUrl).Port;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/feed.ics", () => Results.Text(Calendar, "text/calendar"));
        _app.MapGet("/hops/{n:int}", (int n) => Results.Redirect(n <= 0 ? "/feed.ics" : $"/hops/{n - 1}"));
        _app.MapGet("/to", (string url) => Results.Redirect(url));
        _app.MapGet("/big.ics", () => Results.Text(new string('x', 5000), "text/calendar"));
        _app.MapGet("/slow.ics", async (CancellationToken ct) => { await Task.Delay(TimeSpan.FromSeconds(30), ct); return Results.Text(Calendar); });
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync() { if (_app is not null) await _app.DisposeAsync(); }
}

public sealed class FeedImportTests(TestApp app, FeedServer feeds) : IClassFixture<TestApp>, IClassFixture<FeedServer>
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("10.0.0.5")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.251")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2001:db8::1")]
    public void Inside_addresses_are_not_public(string address) => Assert.False(FeedAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:1.1.1.1")]
    public void Internet_addresses_are_public(string address) => Assert.True(FeedAddresses.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public async Task A_feed_on_a_loopback_or_private_host_is_refused_by_default_and_nothing_is_imported()
    {
        var site = await app.CreateSite("feed_ssrf");
        var alice = await site.As(await site.AddMember("alice@ssrf.example"));

        foreach (var url in new[] { $"{feeds.BaseUrl}/feed.ics", $"http://localhost:{feeds.Port}/feed.ics", $"http://[::1]:{feeds.Port}/feed.ics",
                     "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/feed.ics" })
            await Http.AssertProblem(await alice.PostAsJsonAsync(site.Api("schedules/import"), new { feedUrl = url }), 400, "feed-refused");
        foreach (var url in new[] { "file:///etc/passwd", "ftp://example.com/feed.ics", $"http://user:pw@127.0.0.1:{feeds.Port}/feed.ics", "not a url" })
            await Http.AssertProblem(await alice.PostAsJsonAsync(site.Api("schedules/import"), new { feedUrl = url }), 400, "validation");

        var entries = await Http.Ensure<JsonElement>(await alice.GetAsync(site.Api("schedules?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z")));
        Assert.Equal(0, entries.GetArrayLength());
    }

    static FeedFetcher Fetcher(FeedOptions options, Func<IPAddress, bool> allowed) => new(new Clients(FeedFetcher.Handler(options, allowed)), Options.Create(options));

    sealed class Clients(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    /// <summary>Only 127.0.0.1 counts as allowed here, standing in for "a public host" on a machine with no internet.</summary>
    static bool OnlyFirstLoopback(IPAddress a) => a.Equals(IPAddress.Loopback);

    [Fact]
    public async Task A_redirect_is_checked_like_the_first_address_and_redirects_are_limited()
    {
        var fetcher = Fetcher(new FeedOptions { MaxRedirects = 3 }, OnlyFirstLoopback);

        Assert.Equal(FeedServer.Calendar, await fetcher.Fetch($"{feeds.BaseUrl}/hops/2", CancellationToken.None));
        var inside = await Assert.ThrowsAsync<ProblemException>(() =>
            fetcher.Fetch($"{feeds.BaseUrl}/to?url={Uri.EscapeDataString($"http://127.0.0.2:{feeds.Port}/feed.ics")}", CancellationToken.None));
        Assert.Equal("feed-refused", inside.Code);
        var scheme = await Assert.ThrowsAsync<ProblemException>(() =>
            fetcher.Fetch($"{feeds.BaseUrl}/to?url={Uri.EscapeDataString("file:///etc/passwd")}", CancellationToken.None));
        Assert.Equal("feed-refused", scheme.Code);
        var tooMany = await Assert.ThrowsAsync<ProblemException>(() => fetcher.Fetch($"{feeds.BaseUrl}/hops/5", CancellationToken.None));
        Assert.Equal("feed-unavailable", tooMany.Code);
    }

    [Fact]
    public async Task A_feed_too_big_or_too_slow_is_refused()
    {
        var fetcher = Fetcher(new FeedOptions { MaxFeedBytes = 1000, FeedTimeout = TimeSpan.FromMilliseconds(500) }, OnlyFirstLoopback);

        var big = await Assert.ThrowsAsync<ProblemException>(() => fetcher.Fetch($"{feeds.BaseUrl}/big.ics", CancellationToken.None));
        var slow = await Assert.ThrowsAsync<ProblemException>(() => fetcher.Fetch($"{feeds.BaseUrl}/slow.ics", CancellationToken.None));

        Assert.Equal((413, "too-large"), (big.Status, big.Code));
        Assert.Equal((504, "feed-timeout"), (slow.Status, slow.Code));
    }
}
