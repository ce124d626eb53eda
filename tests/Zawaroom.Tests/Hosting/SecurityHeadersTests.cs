using System.Net.Http.Headers;
using Zawaroom.Hosting;
using Zawaroom.Tests.RoomSettings;
using Zawaroom.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Zawaroom.Tests.Hosting;

/// <summary>Probe finding: responses carried no security headers, and uploaded media could be opened as a page.</summary>
public sealed class SecurityHeadersTests(TestApp app) : IClassFixture<TestApp>
{
    static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("Referrer-Policy").Single()));
        var permissions = response.Headers.GetValues("Permissions-Policy").Single();
        Assert.Contains("microphone=(self)", permissions);
        Assert.Contains("camera=(self)", permissions);
        Assert.Contains("display-capture=(self)", permissions);
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/api/no-such-route")]
    [InlineData("/operator/api/sites")]
    [InlineData("/openapi.json")]
    public async Task Every_answer_of_the_app_carries_the_security_headers(string path)
    {
        var response = await app.Anonymous().GetAsync(path);
        AssertCommonHeaders(response);
        // API answers are never pages: nothing may load or run in them.
        Assert.Contains("sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task The_app_on_loopback_sends_no_hsts_and_on_a_site_host_does()
    {
        var local = await app.Anonymous().GetAsync("/healthz");
        Assert.False(local.Headers.Contains("Strict-Transport-Security"));
        var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Host = "demo.zawaroom.com";
        var remote = await app.Anonymous().SendAsync(request);
        Assert.StartsWith("max-age=", remote.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public void The_page_policy_allows_the_configured_signalr_media_and_identity_endpoints_and_nothing_inline()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Zawaroom:SignalR:ConnectionString"] = "Endpoint=https://zr.service.signalr.net;AccessKey=abc;Version=1.0;",
            ["Zawaroom:Media:JanusUrl"] = "https://media.example.com:8089/janus",
            ["Zawaroom:Media:JanusPublicUrl"] = "wss://media.example.com:8989/",
            ["Zawaroom:Identity:AadB2c:Instance"] = "https://contoso.b2clogin.com",
        }).Build();
        var policy = SecurityHeaders.PagePolicy(config);
        var connect = policy.Split(';').Select(p => p.Trim()).Single(p => p.StartsWith("connect-src"));
        Assert.Contains("https://zr.service.signalr.net", connect);
        Assert.Contains("wss://zr.service.signalr.net", connect);
        // Browsers open Janus's WebSocket at JanusPublicUrl (another port than the app's own JanusUrl).
        Assert.Contains("wss://media.example.com:8989", connect);
        Assert.Contains("https://media.example.com:8089", connect);
        Assert.Contains("https://login.microsoftonline.com", connect);
        Assert.Contains("https://contoso.b2clogin.com", connect);
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("object-src 'none'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
    }

    static async Task<string> PageConnectSources(TestApp app, string path)
    {
        var page = await app.Anonymous().GetAsync(path);
        await Http.Ensure(page);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        return page.Headers.GetValues("Content-Security-Policy").Single().Split(';').Select(p => p.Trim()).Single(p => p.StartsWith("connect-src"));
    }

    [Fact]
    public async Task A_sites_own_media_server_is_allowed_on_its_pages_only_and_follows_the_operators_change()
    {
        await app.CreateSite("hdr_own_sfu");
        await app.CreateSite("hdr_other");
        await Http.Ensure(await app.Operator().Patch("/operator/api/sites/hdr_own_sfu", new { defaultMediaServerUrl = "wss://sfu.customer.example:8989/janus" }));

        var own = await PageConnectSources(app, "/s/hdr_own_sfu/rooms/r1");
        var other = await PageConnectSources(app, "/s/hdr_other/");

        Assert.Contains("wss://sfu.customer.example:8989", own);
        Assert.Contains("https://sfu.customer.example:8989", own);
        Assert.Contains("'self'", own);
        Assert.DoesNotContain("sfu.customer.example", other);

        // The operator moves the site to another media server: the next page allows that one, not the old one.
        await Http.Ensure(await app.Operator().Patch("/operator/api/sites/hdr_own_sfu", new { defaultMediaServerUrl = "https://media2.customer.example/janus" }));
        var moved = await PageConnectSources(app, "/s/hdr_own_sfu/");
        Assert.Contains("https://media2.customer.example", moved);
        Assert.Contains("wss://media2.customer.example", moved);
        Assert.DoesNotContain("sfu.customer.example", moved);

        // Removed: back to the platform's policy.
        await Http.Ensure(await app.Operator().Patch("/operator/api/sites/hdr_own_sfu", new { defaultMediaServerUrl = "" }));
        Assert.Equal(other, await PageConnectSources(app, "/s/hdr_own_sfu/"));
    }

    [Fact]
    public async Task A_media_server_url_that_is_not_a_web_url_is_refused()
    {
        await app.CreateSite("hdr_bad_sfu");
        var refused = await app.Operator().Patch("/operator/api/sites/hdr_bad_sfu", new { defaultMediaServerUrl = "javascript:alert(1)" });
        await Http.AssertProblem(refused, 400, "validation");
    }

    [Fact]
    public async Task An_uploaded_background_is_served_with_its_checked_type_and_cannot_run_as_a_page()
    {
        var site = await app.CreateSite("hdr_media");
        var admin = await site.Admin();
        var room = await site.AddRoom(await site.AddSpace());
        var put = new ByteArrayContent(TestMedia.Png(320, 200));
        put.Headers.ContentType = new MediaTypeHeaderValue("text/html");
        await Http.Ensure(await admin.PutAsync(site.Api($"rooms/{room}/background"), put));

        var served = await admin.GetAsync(site.Api($"rooms/{room}/background"));

        await Http.Ensure(served);
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        AssertCommonHeaders(served);
        Assert.Contains("sandbox", served.Headers.GetValues("Content-Security-Policy").Single());
    }
}
