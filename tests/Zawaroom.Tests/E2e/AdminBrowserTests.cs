using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Json;
using Xunit.Abstractions;
using Zawaroom.Tests.Support;
using Zawaroom.Tests.ZoomSync;

namespace Zawaroom.Tests.E2e;

/// <summary>
/// Room editing, the admin menu's Zoom and usage-log screens and "my schedule" in headless Chromium
/// (tests/e2e/admin.test.mjs) against the real app, with the Zoom stand-in on a loopback port as
/// Zoom. Screenshots land in tests/e2e/screenshots/.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class AdminBrowserTests(AdminBrowserTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<AdminBrowserTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public ZoomStandIn Zoom { get; private set; } = null!;
        public TestApp App { get; } = new();

        public async Task InitializeAsync()
        {
            Zoom = await ZoomStandIn.Start();
            // The sync runs when the screen asks for it ("今すぐ同期"), not on the timer.
            App.With("Zawaroom:Zoom:OAuthUrl", Zoom.OAuthUrl).With("Zawaroom:Zoom:ApiBaseUrl", Zoom.ApiBaseUrl).With("Zawaroom:Zoom:Timer", "false")
                // The subscribed-calendar test reads its feed from the stand-in on loopback.
                .With("Zawaroom:Schedules:AllowPrivateFeedHosts", "true")
                // A B2C tenant the login page redirects to (the browser test answers its URLs itself).
                .With("Zawaroom:Identity:AadB2c:Instance", "https://b2c.e2e.example/")
                .With("Zawaroom:Identity:AadB2c:Domain", "zawaroom-e2e.onmicrosoft.com")
                .With("Zawaroom:Identity:AadB2c:SignUpSignInPolicyId", "B2C_1_susi")
                .With("Zawaroom:Identity:AadB2c:ClientId", "e2e-b2c-client");
            await App.InitializeAsync();
        }

        public async Task DisposeAsync()
        {
            await ((IAsyncLifetime)App).DisposeAsync();
            await Zoom.DisposeAsync();
        }
    }

    readonly TestApp app = fixture.App;

    async Task GuestAreaOnly(TestSite site, string roomId)
    {
        var settings = app.Services.GetRequiredService<Zawaroom.RoomSettings.RoomSettingsStore>();
        var me = await Http.Ensure<System.Text.Json.JsonElement>(await (await site.Admin()).GetAsync(site.Api("me")));
        var siteId = me.GetProperty("siteId").GetString()!;
        var stored = await settings.Get(siteId, roomId, CancellationToken.None);
        await settings.Replace(siteId, roomId, stored.Value, stored.Value with { MeetingRooms = [stored.Value.MeetingRooms[0]] }, stored.ETag, CancellationToken.None);
    }

    [Fact]
    public async Task Room_editing_admin_and_schedule_screens_work_in_a_real_browser()
    {
        NodeScripts.RequireBrowser();
        var site = await app.CreateSite("webadmin", maxUsersCount: 20);
        var user = await site.AddMember("user@webadmin.example");
        var admin = await site.Admin();
        await Http.Ensure(await admin.Patch(site.Api("admin/site"), new { allowDomainNames = new[] { "webadmin.example", "partner.example" } }));
        var space = await site.AddSpace("本社");
        var roomA = await site.AddRoom(space, "ルームA");
        var roomB = await site.AddRoom(space, "ルームB");
        // The editor's scenario starts from a room with just its ゲストエリア (a new room has the office floor's five).
        foreach (var room in new[] { roomA, roomB }) await GuestAreaOnly(site, room);
        fixture.Zoom.AddUser("user.zoom@zoom.example");
        // A subscribed calendar (the stand-in serves feeds too).
        fixture.Zoom.Feeds["team"] = string.Join("\r\n", "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//e2e//EN",
            "BEGIN:VEVENT", "UID:feed-1@example", "DTSTAMP:20261101T000000Z", "DTSTART:20261216T010000Z", "DTEND:20261216T020000Z", "SUMMARY:購読した予定", "END:VEVENT",
            "BEGIN:VEVENT", "UID:feed-2@example", "DTSTAMP:20261101T000000Z", "DTSTART:20261217T010000Z", "DTEND:20261217T020000Z", "SUMMARY:購読した予定2", "END:VEVENT",
            "END:VCALENDAR", "");

        var (exitCode, text) = await NodeScripts.Run("admin.test.mjs", new Dictionary<string, string>
        {
            ["ZAWAROOM_BASE_URL"] = app.BaseAddress.ToString().TrimEnd('/'),
            ["ZAWAROOM_SITE"] = site.Subdomain,
            ["ZAWAROOM_ADMIN"] = site.AdminEmail,
            ["ZAWAROOM_USER"] = user,
            ["ZAWAROOM_ROOM_A"] = roomA,
            ["ZAWAROOM_ROOM_B"] = roomB,
            ["ZAWAROOM_ZOOM_ACCOUNT"] = ZoomStandIn.AccountId,
            ["ZAWAROOM_ZOOM_CLIENT"] = ZoomStandIn.ClientId,
            ["ZAWAROOM_ZOOM_SECRET"] = ZoomStandIn.ClientSecret,
            ["ZAWAROOM_ZOOM_USER"] = "user.zoom@zoom.example",
            ["ZAWAROOM_FEED_URL"] = $"{fixture.Zoom.BaseUrl}/feeds/team",
            ["ZAWAROOM_CHROMIUM"] = NodeScripts.Chromium,
            ["NO_COLOR"] = "1",
        });
        output.WriteLine(text);
        Assert.True(exitCode == 0, $"The browser tests failed (exit {exitCode}):\n{text}");
        // What the browser did reached Zoom: the entry made in the UI became one meeting of the member's Zoom user.
        Assert.Single(fixture.Zoom.MeetingsOf("user.zoom@zoom.example"));
    }
}
