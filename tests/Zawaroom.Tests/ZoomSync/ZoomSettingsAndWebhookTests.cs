using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Zawaroom.Tests.Support;
using Zawaroom.ZoomSync;

namespace Zawaroom.Tests.ZoomSync;

public sealed class ZoomSettingsAndWebhookTests(ZoomWorld world) : IClassFixture<ZoomWorld>
{
    [Fact]
    public async Task Secrets_are_never_returned_and_not_stored_in_clear()
    {
        var z = await ZoomSite.Create(world, "zs_secret");
        var settings = await Http.Ensure<JsonElement>(await z.Admin.GetAsync(z.Site.Api("admin/zoom")));
        var text = settings.GetRawText();

        Assert.True(settings.GetProperty("clientSecretSet").GetBoolean());
        Assert.DoesNotContain(ZoomStandIn.ClientSecret, text);
        Assert.DoesNotContain(ZoomSite.WebhookSecret, text);
        Assert.False(settings.TryGetProperty("clientSecret", out _));
        var db = Path.Combine(world.App.DataDirectory, "zawaroom.db");
        var raw = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(db)) + string.Concat(Directory.GetFiles(world.App.DataDirectory, "*.db-wal").Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f))));
        Assert.DoesNotContain(ZoomStandIn.ClientSecret, raw);
        Assert.DoesNotContain(ZoomSite.WebhookSecret, raw);
    }

    [Fact]
    public async Task Only_site_admins_read_or_change_zoom_settings()
    {
        var z = await ZoomSite.Create(world, "zs_admin");
        var bob = await z.Site.As(await z.Site.AddMember("bob@admin.example"));
        await Http.AssertProblem(await bob.GetAsync(z.Site.Api("admin/zoom")), 403, "forbidden");
        await Http.AssertProblem(await bob.PutAsJsonAsync(z.Site.Api("admin/zoom"), new { enabled = false }), 403, "forbidden");
        await Http.AssertProblem(await z.Admin.PutAsJsonAsync(z.Site.Api("admin/zoom"), new { timeZone = "Mars/Olympus" }), 400, "validation");
    }

    [Fact]
    public async Task A_members_zoom_email_is_verified_against_zoom()
    {
        var z = await ZoomSite.Create(world, "zs_verify", members: "alice@verify.example");
        await z.Site.AddMember("bob@verify.example");
        var saved = await Http.Ensure<JsonElement>(await z.Admin.PutAsJsonAsync(z.Site.Api("admin/zoom/members"),
            new { items = new[] { new { email = "bob@verify.example", zoomEnabled = true, zoomEmail = "nobody@zoom.example" } } }));
        Assert.False(saved.GetProperty("items")[0].GetProperty("zoomVerified").GetBoolean());

        var page = await Http.Ensure<JsonElement>(await z.Admin.GetAsync(z.Site.Api("admin/zoom/members?page=1&pageSize=50")));
        var items = page.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("email").GetString()!);
        Assert.True(items["alice@verify.example"].GetProperty("zoomVerified").GetBoolean());
        Assert.False(items["bob@verify.example"].GetProperty("zoomVerified").GetBoolean());
        Assert.Equal(page.GetProperty("total").GetInt32(), items.Count);
    }

    static HttpRequestMessage Signed(TestSite site, string body, DateTimeOffset at, string secret = ZoomSite.WebhookSecret)
    {
        var ts = at.ToUnixTimeSeconds().ToString();
        var request = new HttpRequestMessage(HttpMethod.Post, site.Api("webhooks/zoom")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-zm-request-timestamp", ts);
        request.Headers.Add("x-zm-signature", ZoomWebhookSignature.Signature(secret, ts, body));
        return request;
    }

    [Fact]
    public async Task Url_validation_answers_the_encrypted_token()
    {
        var z = await ZoomSite.Create(world, "zs_urlval");
        var body = """{"event":"endpoint.url_validation","payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680}""";
        var answer = await Http.Ensure<JsonElement>(await z.Site.Anonymous().SendAsync(Signed(z.Site, body, world.Clock.GetUtcNow())));
        Assert.Equal("qgg8vlvZRS6UYooatFL8Aw", answer.GetProperty("plainToken").GetString());
        Assert.Equal(ZoomWebhookSignature.EncryptedToken(ZoomSite.WebhookSecret, "qgg8vlvZRS6UYooatFL8Aw"), answer.GetProperty("encryptedToken").GetString());
    }

    [Fact]
    public async Task Forged_and_stale_webhooks_are_refused_and_a_valid_one_is_applied_once()
    {
        var z = await ZoomSite.Create(world, "zs_hook", members: "alice@hook.example");
        var id = await z.AddEntry("alice@hook.example");
        await z.Sync();
        var meetingId = (long)Assert.Single(z.MeetingsOf("alice@hook.example"))["id"]!;
        world.Zoom.DeleteInZoom(meetingId);
        var body = JsonSerializer.Serialize(new { @event = "meeting.deleted", event_ts = 1765000000000, payload = new { account_id = "acct-1", @object = new { id = meetingId, uuid = "u1", topic = "定例" } } });
        var now = world.Clock.GetUtcNow();
        var anonymous = z.Site.Anonymous();

        await Http.AssertProblem(await anonymous.SendAsync(Signed(z.Site, body, now, secret: "forged")), 401, "signature-invalid");
        await Http.AssertProblem(await anonymous.SendAsync(Signed(z.Site, body, now.AddMinutes(-6))), 401, "signature-invalid");
        var unsigned = new HttpRequestMessage(HttpMethod.Post, z.Site.Api("webhooks/zoom")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        await Http.AssertProblem(await anonymous.SendAsync(unsigned), 401, "signature-invalid");
        Assert.Equal("linked", (await z.Entry("alice@hook.example", id)).GetProperty("zoom").GetProperty("state").GetString());

        var applied = await Http.Ensure<JsonElement>(await anonymous.SendAsync(Signed(z.Site, body, now)));
        var replayed = await Http.Ensure<JsonElement>(await anonymous.SendAsync(Signed(z.Site, body, now.AddSeconds(30))));

        Assert.Equal("applied", applied.GetProperty("status").GetString());
        Assert.Equal("duplicate", replayed.GetProperty("status").GetString());
        Assert.Equal("none", (await z.Entry("alice@hook.example", id)).GetProperty("zoom").GetProperty("state").GetString());
        // Deleted in Zoom: not made again while the entry stays as it is, made again once it changes.
        await z.Sync();
        Assert.Empty(z.MeetingsOf("alice@hook.example"));
        await z.ChangeEntry("alice@hook.example", id, "2026-12-09T10:00:00+09:00");
        await z.Sync();
        Assert.Single(z.MeetingsOf("alice@hook.example"));
    }

    [Fact]
    public async Task A_subscribed_icalendar_feed_is_imported_and_synced()
    {
        var z = await ZoomSite.Create(world, "zs_feed", members: "alice@feed.example");
        world.Zoom.Feeds["alice"] = string.Join("\r\n", "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//feed//EN", "BEGIN:VEVENT", "UID:feed-1@example",
            "SUMMARY:外部連携", "DTSTART;TZID=Asia/Tokyo:20261215T140000", "DTEND;TZID=Asia/Tokyo:20261215T150000", "LOCATION:Zoom 会議",
            "END:VEVENT", "END:VCALENDAR", "");
        var alice = await z.Site.As("alice@feed.example");

        var first = await Http.Ensure<JsonElement>(await alice.PostAsJsonAsync(z.Site.Api("schedules/import"), new { feedUrl = $"{world.Zoom.BaseUrl}/feeds/alice" }));
        var again = await Http.Ensure<JsonElement>(await alice.PostAsJsonAsync(z.Site.Api("schedules/import"), new { feedUrl = $"{world.Zoom.BaseUrl}/feeds/alice" }));
        await z.Sync();

        Assert.Equal(1, first.GetProperty("created").GetInt32());
        Assert.Equal(1, again.GetProperty("unchanged").GetInt32());
        Assert.Equal("2026-12-15T14:00:00", (string?)Assert.Single(z.MeetingsOf("alice@feed.example"))["start_time"]);
    }
}
