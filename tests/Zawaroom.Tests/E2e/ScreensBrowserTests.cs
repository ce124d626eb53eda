using System.Net.Http.Json;
using Xunit.Abstractions;
using Zawaroom.Tests.Support;
using Zawaroom.Tests.ZoomSync;

namespace Zawaroom.Tests.E2e;

/// <summary>
/// The schedule, Zoom status, error, admin-label and English screens in headless Chromium
/// (tests/e2e/screens.test.mjs) against the real app, with the Zoom stand-in on a loopback port as Zoom
/// (the script takes Zoom down and up through the stand-in's control routes). Screenshots land in
/// tests/e2e/screenshots/.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class ScreensBrowserTests(ScreensBrowserTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<ScreensBrowserTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public ZoomStandIn Zoom { get; private set; } = null!;
        public TestApp App { get; } = new();

        public async Task InitializeAsync()
        {
            Zoom = await ZoomStandIn.Start();
            // The sync runs when the screen asks for it; retries of a Zoom that does not answer are quick.
            App.With("Zawaroom:Zoom:OAuthUrl", Zoom.OAuthUrl).With("Zawaroom:Zoom:ApiBaseUrl", Zoom.ApiBaseUrl).With("Zawaroom:Zoom:Timer", "false")
                .With("Zawaroom:Zoom:RetryDelay", "00:00:00.020");
            await App.InitializeAsync();
        }

        public async Task DisposeAsync()
        {
            await ((IAsyncLifetime)App).DisposeAsync();
            await Zoom.DisposeAsync();
        }
    }

    readonly TestApp app = fixture.App;

    [Fact]
    public async Task A_weekly_entry_made_on_a_Thursday_becomes_one_recurring_Zoom_meeting_and_the_screens_say_what_really_happened()
    {
        NodeScripts.RequireBrowser();
        var zoom = fixture.Zoom;
        var site = await app.CreateSite("screens", maxUsersCount: 20);
        var user = await site.AddMember("user@screens.example");
        var second = await site.AddMember("kana@screens.example");
        var admin = await site.Admin();
        var space = await site.AddSpace("Main");
        var room = await site.AddRoom(space, "Lobby");
        zoom.AddUser("user.zoom@zoom.example");
        zoom.AddUser("kana.zoom@zoom.example");
        await Http.Ensure(await admin.PutAsJsonAsync(site.Api("admin/zoom"), new
        {
            enabled = true, accountId = ZoomStandIn.AccountId, clientId = ZoomStandIn.ClientId, clientSecret = ZoomStandIn.ClientSecret,
            timeZone = "Asia/Tokyo",
        }));
        await Http.Ensure(await admin.PutAsJsonAsync(site.Api("admin/zoom/members"),
            new { items = new[] { new { email = user, zoomEnabled = true, zoomEmail = "user.zoom@zoom.example" } } }));

        try
        {
            var (exitCode, text) = await NodeScripts.Run("screens.test.mjs", new Dictionary<string, string>
            {
                ["ZAWAROOM_BASE_URL"] = app.BaseAddress.ToString().TrimEnd('/'),
                ["ZAWAROOM_SITE"] = site.Subdomain,
                ["ZAWAROOM_ADMIN"] = site.AdminEmail,
                ["ZAWAROOM_USER"] = user,
                ["ZAWAROOM_SECOND"] = second,
                ["ZAWAROOM_ROOM"] = room,
                ["ZAWAROOM_ZOOM_CONTROL"] = zoom.BaseUrl,
                ["ZAWAROOM_CHROMIUM"] = NodeScripts.Chromium,
                // The site's schedule timezone (Zoom settings), for the dates the script computes.
                ["TZ"] = "Asia/Tokyo",
                ["NO_COLOR"] = "1",
            });
            output.WriteLine(text);
            Assert.True(exitCode == 0, $"The browser tests failed (exit {exitCode}):\n{text}");
        }
        finally
        {
            zoom.Unreachable = false;
        }
        // Z3: the Thursday series made in the browser is ONE recurring Zoom meeting, weekly on Thursdays (Zoom: 5).
        var series = Assert.Single(zoom.MeetingsOf("user.zoom@zoom.example"), m => (string?)m["topic"] == "木曜定例");
        Assert.Equal(8, (int)series["type"]!);
        Assert.Equal("5", (string?)series["recurrence"]!["weekly_days"]);
        Assert.Equal(2, (int)series["recurrence"]!["type"]!);
    }
}
