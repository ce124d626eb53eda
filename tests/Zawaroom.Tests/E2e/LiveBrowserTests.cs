using System.Diagnostics;
using System.Net.Http.Json;
using Xunit.Abstractions;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.E2e;

/// <summary>
/// The live room in headless Chromium (tests/e2e/live.test.mjs) against the real app with real
/// presence and the in-process hub: two people see each other, move, change status, write, knock
/// and leave; a member outside the entry permission is refused in Japanese. Fails, never skips,
/// when chromium or the npm packages are missing (tests/setup.d/30-web.sh installs them).
/// Screenshots land in tests/e2e/screenshots/.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class LiveBrowserTests(LiveBrowserTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<LiveBrowserTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public TestApp App { get; } = new();
        public Task InitializeAsync() => App.InitializeAsync();
        Task IAsyncLifetime.DisposeAsync() => ((IAsyncLifetime)App).DisposeAsync();
    }

    readonly TestApp app = fixture.App;


    [Fact]
    public async Task Two_people_meet_in_the_live_room_in_real_browsers()
    {
        NodeScripts.RequireBrowser();
        var index = await app.Anonymous().GetAsync("/index.html");
        Assert.True(index.IsSuccessStatusCode, "The app serves no index.html: the build did not put static-web/dist into functions/wwwroot.");

        var site = await app.CreateSite("live-e2e", maxUsersCount: 20);
        var user = await site.AddMember("bob@live.example");
        var outsider = await site.AddMember("carol@live.example");
        var space = await site.AddSpace("ライブ");
        var room = await site.AddRoom(space, "みんなの部屋");
        // R3: only the admin and bob may enter the board room; carol is refused.
        var restricted = await site.AddRoom(space, "役員室");
        await LimitEntry(site, restricted, site.AdminEmail, user);

        var (exitCode, text) = await NodeScripts.Run("live.test.mjs", new Dictionary<string, string>
        {
            ["ZAWAROOM_BASE_URL"] = app.BaseAddress.ToString().TrimEnd('/'),
            ["ZAWAROOM_SITE"] = site.Subdomain,
            ["ZAWAROOM_ADMIN"] = site.AdminEmail,
            ["ZAWAROOM_USER"] = user,
            ["ZAWAROOM_OUTSIDER"] = outsider,
            ["ZAWAROOM_ROOM"] = room,
            ["ZAWAROOM_RESTRICTED_ROOM"] = restricted,
            ["ZAWAROOM_CHROMIUM"] = NodeScripts.Chromium,
            ["NO_COLOR"] = "1",
        });
        Assert.True(exitCode == 0, $"The live-room browser tests failed (exit {exitCode}):\n{text}");
        output.WriteLine(text);
    }

    /// <summary>The pure rules of static-web/src/live/model.ts (R6 scale, L3 hearing, L4 sequence, hub error codes), in node.</summary>
    [Fact]
    public async Task The_rules_the_room_screen_decides_by_hold()
    {
        var web = Path.Combine(NodeScripts.RepositoryRoot(), "static-web");
        Assert.True(File.Exists(Path.Combine(web, "node_modules", ".bin", "tsc")), "static-web/node_modules is missing: run tests/setup.d/30-web.sh (npm ci).");
        var (exitCode, text) = await NodeScripts.Run("live-rules.test.mjs", new Dictionary<string, string> { ["NO_COLOR"] = "1" });
        Assert.True(exitCode == 0, $"The live-room rules failed (exit {exitCode}):\n{text}");
        output.WriteLine(text);
    }

    static async Task LimitEntry(TestSite site, string roomId, params string[] emails)
    {
        var admin = await site.Admin();
        var read = await admin.GetAsync(site.Api($"rooms/{roomId}/settings"));
        await Http.Ensure(read);
        var etag = read.Headers.ETag?.ToString() ?? throw new InvalidOperationException("GET settings sent no ETag");
        var request = new HttpRequestMessage(HttpMethod.Put, site.Api($"rooms/{roomId}/settings"))
        {
            Content = JsonContent.Create(new { entry = new { users = emails } }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        await Http.Ensure(await admin.SendAsync(request));
    }
}
