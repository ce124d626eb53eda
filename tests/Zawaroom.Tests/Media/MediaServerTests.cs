using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Identity;
using Zawaroom.Live;
using Zawaroom.Media;
using Zawaroom.Tests.Live;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Media;

/// <summary>A room with two whole-room meeting rooms, A and B, and the entry on the open floor.</summary>
public sealed class TwoMeetingRooms : IRoomLayout
{
    public static readonly (double X, double Y) InA = (1100, 100), InB = (2100, 100), Outside = (200, 200);

    public Task<RoomGeometry> Geometry(string siteId, string roomId, CancellationToken ct) => Task.FromResult(RoomGeometry.Default with
    {
        EntryPosition = new Point(Outside.X, Outside.Y),
        MeetingRooms = [new MeetingArea("a", "会議室A", new Area(1000, 0, 400, 400)), new MeetingArea("b", "会議室B", new Area(2000, 0, 400, 400))],
    });

    public Task<bool> MayEnter(string siteId, string roomId, Caller caller, CancellationToken ct) => Task.FromResult(true);
}

/// <summary>The app with real Janus and coturn on loopback (started per test class).</summary>
public sealed class MediaApp : IAsyncLifetime
{
    public JanusServer Janus { get; private set; } = null!;
    public CoturnServer Turn { get; private set; } = null!;
    public TestApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        (Janus, Turn) = (await JanusServer.StartNew(), await CoturnServer.StartNew());
        App = new TestApp().WithServices(s => s.AddSingleton<IRoomLayout>(new TwoMeetingRooms()));
        foreach (var (key, value) in Janus.Settings(websocket: false).Concat(Turn.Settings())) App.With(key, value);
        App.With("Zawaroom:Media:TurnTtl", "00:10:00").With("Zawaroom:Media:ReconcileEvery", "00:00:00.250");
        await App.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)App).DisposeAsync();
        await Janus.DisposeAsync();
        await Turn.DisposeAsync();
    }
}

public sealed class MediaServerTests(MediaApp fixture) : IClassFixture<MediaApp>
{
    readonly TestApp _app = fixture.App;

    static async Task<JsonElement> Media(TestSite site, string email, string room) =>
        await Http.Ensure<JsonElement>(await (await site.As(email)).PostAsync(site.Api($"rooms/{room}/media"), null));

    static JsonObject Join(JsonElement sfu, string ptype, ulong? room = null, string? token = null, string? pin = null) => new()
    {
        ["ptype"] = ptype, ["room"] = room ?? sfu.GetProperty("room").GetUInt64(), ["pin"] = pin ?? sfu.GetProperty("pin").GetString(),
        ["token"] = token ?? sfu.GetProperty("roomToken").GetString(), ["id"] = sfu.GetProperty("feed").GetUInt64(),
    };

    [Fact]
    public async Task Entering_hands_out_a_TURN_credential_that_coturn_accepts_and_a_forged_or_expired_one_is_refused()
    {
        var site = await _app.CreateSite("media-turn");
        await site.AddMember("alice@turn.example");
        var room = await site.AddRoom(await site.AddSpace());
        var entered = await Http.Ensure<JsonElement>(await (await site.As("alice@turn.example")).PostAsync(site.Api($"rooms/{room}/enter"), null));
        var ice = entered.GetProperty("media").GetProperty("iceServers");
        var turn = ice.EnumerateArray().Single(s => s.TryGetProperty("username", out var u) && u.ValueKind == JsonValueKind.String);
        Assert.Equal(fixture.Turn.Url, turn.GetProperty("urls")[0].GetString());
        var username = turn.GetProperty("username").GetString()!;
        Assert.EndsWith(":alice@turn.example", username);
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(username.Split(':')[0]));
        Assert.InRange(expiry - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10.1));

        Assert.True((await TurnAllocate.Try(fixture.Turn.Port, username, turn.GetProperty("credential").GetString()!)).Allocated, fixture.Turn.Log);
        // Forged: the right shape, the wrong secret.
        var forged = TurnCredentials.Credential("not-the-secret", username);
        Assert.Equal(401, (await TurnAllocate.Try(fixture.Turn.Port, username, forged)).ErrorCode);
        // Someone else's name with this credential.
        Assert.Equal(401, (await TurnAllocate.Try(fixture.Turn.Port, username.Replace("alice", "mallory"), turn.GetProperty("credential").GetString()!)).ErrorCode);
        // Expired: signed with the real secret, but its time is past.
        var expired = TurnCredentials.Username(DateTimeOffset.UtcNow.AddMinutes(-1), "alice@turn.example");
        Assert.Equal(401, (await TurnAllocate.Try(fixture.Turn.Port, expired, TurnCredentials.Credential(fixture.Turn.Secret, expired))).ErrorCode);

        // A fresh set on request, before the old one expires.
        var fresh = await Media(site, "alice@turn.example", room);
        Assert.NotEmpty(fresh.GetProperty("iceServers").EnumerateArray());
    }

    [Fact]
    public async Task People_in_a_whole_room_meeting_room_get_a_pass_for_its_Janus_room_only()
    {
        var site = await _app.CreateSite("media-sfu");
        foreach (var who in new[] { "ann", "ben", "out" }) await site.AddMember($"{who}@sfu.example");
        var room = await site.AddRoom(await site.AddSpace());
        await using var ann = await LiveClient.Enter(site, "ann@sfu.example", room);
        await using var ben = await LiveClient.Enter(site, "ben@sfu.example", room);
        await using var outside = await LiveClient.Enter(site, "out@sfu.example", room);
        await ann.Invoke("Move", new { x = TwoMeetingRooms.InA.X, y = TwoMeetingRooms.InA.Y });
        await ben.Invoke("Move", new { x = TwoMeetingRooms.InB.X, y = TwoMeetingRooms.InB.Y });
        await outside.Next("moved", m => m.Moves("ben@sfu.example"));

        var a = (await Media(site, "ann@sfu.example", room)).GetProperty("sfu");
        var b = (await Media(site, "ben@sfu.example", room)).GetProperty("sfu");
        Assert.Equal("meeting:a", a.GetProperty("group").GetString());
        Assert.NotEqual(a.GetProperty("room").GetUInt64(), b.GetProperty("room").GetUInt64());
        var none = await Media(site, "out@sfu.example", room);
        Assert.False(none.TryGetProperty("sfu", out _), "someone outside every meeting room, alone, got an SFU pass");

        // Ann's pass opens room A, as publisher and as subscriber...
        await using (var direct = new JanusDirect(fixture.Janus.HttpUrl, a.GetProperty("sessionToken").GetString()))
        {
            Assert.Null(await direct.Connect());
            Assert.Equal("joined", (await direct.Join(Join(a, "publisher")))["videoroom"]?.GetValue<string>());
        }
        // ...but not room B, even with B's pin: publishing or listening in.
        await using (var direct = new JanusDirect(fixture.Janus.HttpUrl, a.GetProperty("sessionToken").GetString()))
        {
            Assert.Null(await direct.Connect());
            var bRoom = b.GetProperty("room").GetUInt64();
            Assert.Equal(433, (await direct.Join(Join(a, "publisher", bRoom, pin: b.GetProperty("pin").GetString())))["error_code"]?.GetValue<int>());
            var listen = Join(a, "subscriber", bRoom, pin: b.GetProperty("pin").GetString());
            listen["streams"] = new JsonArray(new JsonObject { ["feed"] = b.GetProperty("feed").GetUInt64() });
            Assert.Equal(433, (await direct.Join(listen))["error_code"]?.GetValue<int>());
            // A token of one's own making is refused as well.
            var forged = Zawaroom.Media.Janus.JanusSfu.SignedToken("guessed", DateTimeOffset.UtcNow.AddMinutes(5), "janus.plugin.videoroom", $"room={bRoom}");
            Assert.Equal(433, (await direct.Join(Join(b, "publisher", token: forged)))["error_code"]?.GetValue<int>());
        }
        // Without any token Janus does not even open a session.
        await using (var direct = new JanusDirect(fixture.Janus.HttpUrl, null))
            Assert.NotNull(await direct.Connect());
    }

    [Fact]
    public async Task Walking_out_of_the_meeting_room_removes_one_from_its_Janus_room()
    {
        var site = await _app.CreateSite("media-kick");
        await site.AddMember("cat@kick.example");
        var room = await site.AddRoom(await site.AddSpace());
        await using var cat = await LiveClient.Enter(site, "cat@kick.example", room);
        await cat.Invoke("Move", new { x = TwoMeetingRooms.InA.X, y = TwoMeetingRooms.InA.Y });
        await Task.Delay(300);
        var pass = (await Media(site, "cat@kick.example", room)).GetProperty("sfu");
        var sfu = _app.Services.GetRequiredService<ISfu>();
        var janusRoom = pass.GetProperty("room").GetUInt64();

        await using var direct = new JanusDirect(fixture.Janus.HttpUrl, pass.GetProperty("sessionToken").GetString());
        Assert.Null(await direct.Connect());
        Assert.Equal("joined", (await direct.Join(Join(pass, "publisher")))["videoroom"]?.GetValue<string>());
        // Someone joining under an id that was not given to them is removed even while Cat stays.
        var stray = Join(pass, "publisher");
        stray["id"] = 42;
        Assert.Equal("joined", (await direct.Join(stray))["videoroom"]?.GetValue<string>());
        await Eventually(async () => (await sfu.Participants(janusRoom, default)).SequenceEqual([pass.GetProperty("feed").GetUInt64()]));

        await cat.Invoke("Move", new { x = TwoMeetingRooms.Outside.X, y = TwoMeetingRooms.Outside.Y });
        var walkedOut = DateTime.UtcNow;
        await Eventually(async () => (await sfu.Participants(janusRoom, default)).Count == 0);
        Assert.True(DateTime.UtcNow - walkedOut < TimeSpan.FromSeconds(2), "Janus still had Cat 2 s after walking out");
    }

    static async Task Eventually(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "The condition did not hold within 10 s");
            await Task.Delay(50);
        }
    }
}

public sealed class MediaUnconfiguredTests(MediaUnconfiguredTests.Plain fixture) : IClassFixture<MediaUnconfiguredTests.Plain>
{
    public sealed class Plain : IAsyncLifetime
    {
        public TestApp App { get; } = new();
        public Task InitializeAsync() => App.InitializeAsync();
        public Task DisposeAsync() => ((IAsyncLifetime)App).DisposeAsync();
    }

    [Fact]
    public async Task Without_media_configuration_the_room_is_peer_to_peer_with_no_ice_servers()
    {
        var site = await fixture.App.CreateSite("media-none");
        var room = await site.AddRoom(await site.AddSpace());
        var entered = await Http.Ensure<JsonElement>(await (await site.Admin()).PostAsync(site.Api($"rooms/{room}/enter"), null));
        var media = entered.GetProperty("media");
        Assert.Empty(media.GetProperty("iceServers").EnumerateArray());
        Assert.Equal("off", media.GetProperty("sfuState").GetString());
        Assert.False(media.TryGetProperty("sfu", out _));
    }
}
