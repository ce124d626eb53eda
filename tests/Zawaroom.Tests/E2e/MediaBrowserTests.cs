using System.Net.Http.Json;
using Xunit.Abstractions;
using Zawaroom.Tests.Media;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.E2e;

/// <summary>
/// Voice through Janus and through coturn in headless Chromium with fake devices
/// (tests/e2e/media.test.mjs), against the real app with real Janus and coturn on loopback. Fails,
/// never skips, when chromium, the npm packages, janus or coturn are missing (tests/setup.d/30-web.sh, 40-media.sh).
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class MediaBrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_people_connect_through_coturn_when_only_relayed_media_is_allowed()
    {
        NodeScripts.RequireBrowser();
        await using var turn = await CoturnServer.StartNew();
        var app = new TestApp();
        await using var stop = new Stop(() => ((IAsyncLifetime)app).DisposeAsync());
        foreach (var (key, value) in turn.Settings()) app.With(key, value);
        app.With("Zawaroom:Media:IceTransportPolicy", "relay");
        await app.InitializeAsync();
        var site = await app.CreateSite("relay-e2e", maxUsersCount: 20);
        var people = new[] { await site.AddMember("r1@relay.example"), await site.AddMember("r2@relay.example") };
        var room = await site.AddRoom(await site.AddSpace("リレー"), "オープンフロア");

        await Run(app, site, room, people, "relay", "The TURN relay browser test", () => turn.Log, new() { ["ZAWAROOM_TURN_PORT"] = turn.Port.ToString() });
    }

    [Fact]
    public async Task Six_people_in_a_whole_room_meeting_room_hear_each_other_through_Janus_and_walking_out_stops_it()
    {
        NodeScripts.RequireBrowser();
        await using var janus = await JanusServer.StartNew();
        var app = new TestApp();
        await using var stop = new Stop(() => ((IAsyncLifetime)app).DisposeAsync());
        foreach (var (key, value) in janus.Settings()) app.With(key, value);
        await app.InitializeAsync();
        var site = await app.CreateSite("sfu-e2e", maxUsersCount: 20);
        var people = new List<string>();
        foreach (var n in Enumerable.Range(1, 6)) people.Add(await site.AddMember($"s{n}@sfu.example"));
        var outsider = await site.AddMember("out@sfu.example");
        var room = await site.AddRoom(await site.AddSpace("会議"), "会議フロア");
        // One "whole room" meeting room with the entry in its middle (1300, 1300); its left wall at x = 1000.
        await PutLayout(site, room, new
        {
            meetingRooms = new object[] { new { name = "ゲストエリア", x = 1000, y = 1000, width = 600, height = 600, audioMode = "whole-room" } },
        });

        await Run(app, site, room, people, "sfu", "The SFU browser test", () => janus.Log, new()
        {
            ["ZAWAROOM_OUTSIDER"] = outsider,
            ["ZAWAROOM_JANUS_RTP"] = $"{janus.RtpRange.From}-{janus.RtpRange.To}",
        });
    }

    /// <summary>Runs one case of tests/e2e/media.test.mjs against the app; a failure shows the script's output and the media server's log.</summary>
    async Task Run(TestApp app, TestSite site, string room, IReadOnlyList<string> people, string mediaCase, string what, Func<string> serverLog,
        Dictionary<string, string> extra)
    {
        var env = new Dictionary<string, string>(extra)
        {
            ["ZAWAROOM_BASE_URL"] = app.BaseAddress.ToString().TrimEnd('/'),
            ["ZAWAROOM_SITE"] = site.Subdomain,
            ["ZAWAROOM_ADMIN"] = site.AdminEmail,
            ["ZAWAROOM_USER"] = people[0],
            ["ZAWAROOM_ROOM"] = room,
            ["ZAWAROOM_PEOPLE"] = string.Join(',', people),
            ["ZAWAROOM_MEDIA_CASE"] = mediaCase,
            ["ZAWAROOM_CHROMIUM"] = NodeScripts.Chromium,
            ["NO_COLOR"] = "1",
        };
        var (exitCode, text) = await NodeScripts.Run("media.test.mjs", env);
        Assert.True(exitCode == 0, $"{what} failed (exit {exitCode}):\n{text}\n--- media server ---\n{Tail(serverLog())}");
        output.WriteLine(text);
    }

    sealed class Stop(Func<Task> stop) : IAsyncDisposable { public async ValueTask DisposeAsync() => await stop(); }

    static string Tail(string log) => log.Length > 6000 ? log[^6000..] : log;

    static async Task PutLayout(TestSite site, string roomId, object layout)
    {
        var admin = await site.Admin();
        var read = await admin.GetAsync(site.Api($"rooms/{roomId}/settings"));
        await Http.Ensure(read);
        var request = new HttpRequestMessage(HttpMethod.Put, site.Api($"rooms/{roomId}/settings")) { Content = JsonContent.Create(layout) };
        request.Headers.TryAddWithoutValidation("If-Match", read.Headers.ETag!.ToString());
        await Http.Ensure(await admin.SendAsync(request));
    }
}
