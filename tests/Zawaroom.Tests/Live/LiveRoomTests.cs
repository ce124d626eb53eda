using Microsoft.AspNetCore.SignalR;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Identity;
using Zawaroom.Live;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

public sealed class LiveRoomTests(TestApp app) : IClassFixture<TestApp>
{
    async Task<(TestSite Site, string SpaceId, string RoomId)> Room(string sub, params string[] members)
    {
        var site = await app.CreateSite(sub);
        foreach (var m in members) await site.AddMember(m);
        var space = await site.AddSpace();
        return (site, space, await site.AddRoom(space));
    }

    [Fact]
    public async Task Two_members_see_each_other_enter_move_and_leave()
    {
        var (site, _, room) = await Room("live-two", "alice@live-two.example", "bob@live-two.example");
        await using var alice = await LiveClient.Enter(site, "alice@live-two.example", room);

        var bob = await LiveClient.Enter(site, "bob@live-two.example", room);
        var entered = await alice.Next("entered");
        Assert.Equal("bob@live-two.example", entered.Str("email"));
        // Alice stands on the entry position (2400, 1375), so Bob appears next to her, not on her (EntrySpread).
        Assert.InRange(double.Hypot(entered.GetProperty("x").GetDouble() - 2400, entered.GetProperty("y").GetDouble() - 1375), EntrySpread.Spacing * 0.9, EntrySpread.Spacing * 1.1);

        await bob.Invoke("Move", new { x = 2500, y = 1400 });
        var moved = await alice.Next("moved", b => b.Moves("bob@live-two.example"));
        var move = moved.EnumerateArray().Single(m => m.Str("email") == "bob@live-two.example");
        Assert.Equal(2500, move.GetProperty("x").GetDouble());
        Assert.Equal(1400, move.GetProperty("y").GetDouble());

        await bob.Invoke("Leave", new { });
        Assert.Equal("bob@live-two.example", (await alice.Next("left")).Str("email"));
        await bob.DisposeAsync();
    }

    [Fact]
    public async Task A_newcomer_gets_a_snapshot_of_who_is_where()
    {
        var (site, _, room) = await Room("live-snap", "alice@live-snap.example", "bob@live-snap.example");
        await using var alice = await LiveClient.Enter(site, "alice@live-snap.example", room);
        await alice.Invoke("Move", new { x = 100, y = 200 });
        await alice.Invoke("SetStatus", new { status = "busy", cid = "s1" });

        var http = await site.As("bob@live-snap.example");
        var entered = await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"rooms/{room}/enter"), null));

        var person = entered.GetProperty("snapshot").GetProperty("people").EnumerateArray().Single();
        Assert.Equal("alice@live-snap.example", person.Str("email"));
        Assert.Equal(100, person.GetProperty("x").GetDouble());
        Assert.Equal("busy", person.Str("status"));
    }

    [Fact]
    public async Task Moves_reach_only_those_whose_viewport_covers_them()
    {
        var (site, _, room) = await Room("live-zone", "alice@live-zone.example", "bob@live-zone.example");
        await using var alice = await LiveClient.Enter(site, "alice@live-zone.example", room);
        await using var bob = await LiveClient.Enter(site, "bob@live-zone.example", room);
        // Alice looks at the top-left corner; Bob stands in the middle of the room.
        await alice.Invoke("Viewport", new { x = 0, y = 0, width = 800, height = 450 });

        await bob.Invoke("Move", new { x = 2600, y = 1400 });
        await bob.Invoke("Move", new { x = 2700, y = 1500 });
        await Task.Delay(300); // let both moves go out in their own ticks before the one Alice can see
        await bob.Invoke("Move", new { x = 100, y = 100 });

        var first = await alice.Next("moved");
        var seen = first.EnumerateArray().Single(m => m.Str("email") == "bob@live-zone.example");
        Assert.Equal(100, seen.GetProperty("x").GetDouble());
    }

    [Fact]
    public async Task A_reconnect_gets_a_fresh_snapshot()
    {
        var (site, _, room) = await Room("live-recon", "alice@live-recon.example", "bob@live-recon.example");
        await using var alice = await LiveClient.Enter(site, "alice@live-recon.example", room);
        await using var bob = await LiveClient.Enter(site, "bob@live-recon.example", room);

        await alice.Connection.StopAsync();
        await alice.Connection.StartAsync();

        var snapshot = await alice.Next("snapshot");
        Assert.True(snapshot.HasPerson("alice@live-recon.example"));
        Assert.True(snapshot.HasPerson("bob@live-recon.example"));
    }

    [Fact]
    public async Task A_second_connection_of_the_same_member_replaces_the_first()
    {
        var (site, _, room) = await Room("live-tab", "alice@live-tab.example", "bob@live-tab.example");
        await using var bob = await LiveClient.Enter(site, "bob@live-tab.example", room);
        await using var first = await LiveClient.Enter(site, "alice@live-tab.example", room);
        await using var second = await LiveClient.Enter(site, "alice@live-tab.example", room);

        var admin = await site.Admin();
        var cards = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api($"spaces/{(await Spaces(site))[0]}/rooms")));
        Assert.Equal(2, cards[0].GetProperty("occupancy").GetInt32());
        var snapshot = await Http.Ensure<JsonElement>(await (await site.As("bob@live-tab.example")).PostAsync(site.Api($"rooms/{room}/enter"), null));
        Assert.Equal(2, snapshot.GetProperty("snapshot").GetProperty("people").GetArrayLength());
    }

    static async Task<List<string>> Spaces(TestSite site)
    {
        var spaces = await Http.Ensure<JsonElement>(await (await site.Admin()).GetAsync(site.Api("spaces")));
        return spaces.EnumerateArray().Select(s => s.Str("id")).ToList();
    }

    [Fact]
    public async Task Room_cards_and_the_occupied_room_guard_see_who_is_inside()
    {
        var (site, space, room) = await Room("live-occ", "alice@live-occ.example");
        var admin = await site.Admin();
        await using (var alice = await LiveClient.Enter(site, "alice@live-occ.example", room))
        {
            var cards = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api($"spaces/{space}/rooms")));
            Assert.Equal(1, cards[0].GetProperty("occupancy").GetInt32());
            Assert.Equal("alice@live-occ.example", cards[0].GetProperty("people")[0].Str("email"));
            await Http.AssertProblem(await admin.DeleteAsync(site.Api($"rooms/{room}")), 409, "room-occupied");
            await alice.Invoke("Leave", new { });
        }
        await Http.Ensure(await admin.DeleteAsync(site.Api($"rooms/{room}")));
    }

    [Fact]
    public async Task A_member_of_another_site_can_neither_enter_nor_receive_anything()
    {
        var (site, _, room) = await Room("live-own", "alice@live-own.example");
        var (other, _, otherRoom) = await Room("live-oth", "eve@live-oth.example");
        await using var alice = await LiveClient.Enter(site, "alice@live-own.example", room);

        // Eve's site token is no credential on Alice's site.
        var eve = await other.As("eve@live-oth.example");
        await Http.AssertProblem(await eve.PostAsync(site.Api($"rooms/{room}/enter"), null), 401, "unauthenticated");
        // Alice's own site does not show Eve's room either.
        var aliceHttp = await site.As("alice@live-own.example");
        await Http.AssertProblem(await aliceHttp.PostAsync(site.Api($"rooms/{otherRoom}/enter"), null), 404, "not-found");

        // Eve's live token, valid for her own room, does not open Alice's site's hub.
        var eveEntry = await Http.Ensure<JsonElement>(await eve.PostAsync(other.Api($"rooms/{otherRoom}/enter"), null));
        var eveToken = eveEntry.GetProperty("negotiate").Str("accessToken");
        await using var intruder = LiveClient.Connect(alice.Url, eveToken);
        await Assert.ThrowsAnyAsync<Exception>(() => intruder.StartAsync());

        // In her own room Eve acts; Alice only ever hears her own room.
        await using var eveLive = await LiveClient.Enter(other, "eve@live-oth.example", otherRoom);
        await eveLive.Invoke("Message", new { text = "secret", cid = "e1" });
        await eveLive.Invoke("Move", new { x = 2410, y = 1380 });
        await Task.Delay(300);
        await alice.Invoke("Message", new { text = "mine", cid = "a1" });
        var heard = new List<(string Method, JsonElement Payload)>();
        await alice.Next("event", e => e.TryGetProperty("message", out var m) && m.GetString() == "mine", heard);
        Assert.DoesNotContain(heard.Concat(alice.Drain()), m => m.Payload.ToString().Contains("eve@", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WebRTC_signals_reach_only_the_person_they_are_for()
    {
        var (site, _, room) = await Room("live-rtc", "alice@live-rtc.example", "bob@live-rtc.example", "carol@live-rtc.example");
        await using var alice = await LiveClient.Enter(site, "alice@live-rtc.example", room);
        await using var bob = await LiveClient.Enter(site, "bob@live-rtc.example", room);
        await using var carol = await LiveClient.Enter(site, "carol@live-rtc.example", room);

        await alice.Invoke("Signal", new { to = "bob@live-rtc.example", data = new { sdp = "offer" } });
        await alice.Invoke("Message", new { text = "done", cid = "x" });

        var signal = await bob.Next("signal");
        Assert.Equal("alice@live-rtc.example", signal.Str("from"));
        Assert.Equal("offer", signal.GetProperty("data").Str("sdp"));
        var heard = new List<(string Method, JsonElement Payload)>();
        await carol.Next("event", e => e.Str("type") == "userMessage", heard);
        Assert.DoesNotContain(heard, m => m.Method == "signal");
        await Assert.ThrowsAsync<HubException>(() => alice.Invoke("Signal", new { to = "nobody@live-rtc.example", data = new { } }));
    }

    [Fact]
    public async Task A_client_that_negotiates_the_standard_way_is_sent_on_to_the_room()
    {
        var (site, _, room) = await Room("live-neg", "alice@live-neg.example", "bob@live-neg.example");
        await using var alice = await LiveClient.Enter(site, "alice@live-neg.example", room);
        var bobToken = (await site.As("bob@live-neg.example")).DefaultRequestHeaders.Authorization!.Parameter!;
        await using var bob = LiveClient.Connect(new Uri(app.BaseAddress, site.Api($"?roomId={room}")).ToString().Replace("/?", "?"), bobToken);
        var snapshot = new TaskCompletionSource<JsonElement>();
        bob.On<JsonElement>("snapshot", s => snapshot.TrySetResult(s));

        await bob.StartAsync();

        Assert.Equal("bob@live-neg.example", (await alice.Next("entered")).Str("email"));
        Assert.True((await snapshot.Task.WaitAsync(LiveClient.Patience)).HasPerson("alice@live-neg.example"));
    }

    [Fact]
    public async Task Who_has_left_hears_nothing_more_from_the_room()
    {
        var (site, _, room) = await Room("live-gone", "alice@live-gone.example", "bob@live-gone.example");
        await using var alice = await LiveClient.Enter(site, "alice@live-gone.example", room);
        await using var bob = await LiveClient.Enter(site, "bob@live-gone.example", room);

        await bob.Invoke("Leave", new { });
        await alice.Next("left");
        await alice.Invoke("Message", new { text = "after", cid = "a" });
        await alice.Next("event", e => e.Str("type") == "userMessage");

        // Bob's client saw its own "left"-time traffic at most; Alice's later message never reaches it.
        Assert.DoesNotContain(bob.Drain(), m => m.Method == "event" && m.Payload.ToString().Contains("after", StringComparison.Ordinal));
        await Assert.ThrowsAsync<HubException>(() => bob.Invoke("Message", new { text = "ghost", cid = "g" }));
    }

    [Fact]
    public async Task Invalid_commands_are_refused_and_change_nothing()
    {
        var (site, _, room) = await Room("live-bad", "alice@live-bad.example", "bob@live-bad.example");
        await using var alice = await LiveClient.Enter(site, "alice@live-bad.example", room);
        await using var bob = await LiveClient.Enter(site, "bob@live-bad.example", room);

        async Task Refused(string method, object argument, string code)
        {
            var e = await Assert.ThrowsAsync<HubException>(() => bob.Invoke(method, argument));
            Assert.Contains(code, e.Message);
        }
        await Refused("SetStatus", new { status = new string('x', 51), cid = "1" }, "validation");
        await Refused("SetStatus", new { status = " ", cid = "2" }, "validation");
        await Refused("Mute", new { kind = "mic", muted = true, cid = "3" }, "validation");
        await Refused("Board", new { kind = "poster", text = "x", x = 1, y = 1, cid = "4" }, "validation");
        await Refused("Board", new { id = "nosuch", kind = "sticky", text = "x", x = 1, y = 1, cid = "5" }, "not-found");
        await Refused("VoiceArea", new { reach = 0, cid = "6" }, "validation");
        await Refused("Message", new { text = "", cid = "7" }, "validation");
        await Refused("Knock", new { email = "nobody@live-bad.example", cid = "8" }, "not-found");
        await Refused("Viewport", new { x = 0, y = 0, width = 0, height = 10 }, "validation");
        await bob.Invoke("Move", new { x = 99999, y = -5 });

        var before = new List<(string Method, JsonElement Payload)>();
        var moved = await alice.Next("moved", b => b.Moves("bob@live-bad.example"), before);
        var at = moved.EnumerateArray().Single(m => m.Str("email") == "bob@live-bad.example");
        Assert.Equal((4800d, 0d), (at.GetProperty("x").GetDouble(), at.GetProperty("y").GetDouble()));
        // The refused commands pushed nothing; the one valid move took bob out of the guest area (R8), and only that shows.
        Assert.All(before.Where(m => m.Method == "event"), m => Assert.Equal("leave sub room", m.Payload.Str("type")));
    }

    [Fact]
    public async Task Only_a_boards_author_and_the_rooms_administrators_change_it()
    {
        var (site, _, room) = await Room("live-brd", "alice@live-brd.example", "bob@live-brd.example");
        await using var alice = await LiveClient.Enter(site, "alice@live-brd.example", room);
        await using var bob = await LiveClient.Enter(site, "bob@live-brd.example", room);
        await alice.Invoke("Board", new { kind = "sticky", text = "alice's", x = 100, y = 100, cid = "a1" });
        var id = (await bob.Next("event", e => e.Str("type") == "register board")).Str("boardId");

        var refused = await Assert.ThrowsAsync<HubException>(() =>
            bob.Invoke("Board", new { id, kind = "sticky", text = "bob was here", x = 900, y = 900, cid = "b1" }));
        Assert.Contains("forbidden", refused.Message);

        await using var admin = await LiveClient.Enter(site, site.AdminEmail, room);
        await admin.Invoke("Board", new { id, kind = "sticky", text = "moved by the admin", x = 300, y = 300, cid = "s1" });
        await alice.Invoke("Board", new { id, kind = "sticky", text = "alice's again", x = 120, y = 120, cid = "a2" });
        var boards = (await Http.Ensure<JsonElement>(await (await site.As("bob@live-brd.example")).PostAsync(site.Api($"rooms/{room}/enter"), null)))
            .GetProperty("snapshot").GetProperty("boards").EnumerateArray().ToList();
        var board = Assert.Single(boards);
        Assert.Equal(("alice's again", "alice@live-brd.example"), (board.Str("text"), board.Str("author")));
    }

    [Fact]
    public async Task A_hub_connection_without_an_entry_token_is_refused()
    {
        var (site, _, room) = await Room("live-anon", "alice@live-anon.example");
        var siteToken = (await site.As("alice@live-anon.example")).DefaultRequestHeaders.Authorization!.Parameter!;
        var url = new Uri(app.BaseAddress, site.Api("hubs/room")).ToString();

        await using var connection = LiveClient.Connect(url, siteToken);

        await Assert.ThrowsAnyAsync<Exception>(() => connection.StartAsync());
        var response = await app.Anonymous().PostAsync(site.Api("hubs/room/negotiate?negotiateVersion=1"), null);
        await Http.AssertProblem(response, 401, "unauthenticated");
    }
}

public sealed class EntryPermissionTests : IClassFixture<EntryPermissionTests.DenyingApp>
{
    /// <summary>The app with a room layout whose entry permission leaves out one member (R3).</summary>
    public sealed class DenyingApp : IAsyncLifetime
    {
        public TestApp App { get; } = new TestApp().WithServices(s => s.AddSingleton<IRoomLayout>(new Denying()));
        public Task InitializeAsync() => App.InitializeAsync();
        public Task DisposeAsync() => ((IAsyncLifetime)App).DisposeAsync();
    }

    sealed class Denying : IRoomLayout
    {
        public Task<RoomGeometry> Geometry(string siteId, string roomId, CancellationToken ct) => Task.FromResult(RoomGeometry.Default);
        public Task<bool> MayEnter(string siteId, string roomId, Caller caller, CancellationToken ct) =>
            Task.FromResult(!caller.Email.StartsWith("outsider@", StringComparison.Ordinal));
    }

    readonly TestApp _app;
    public EntryPermissionTests(DenyingApp fixture) => _app = fixture.App;

    [Fact]
    public async Task A_member_outside_the_entry_permission_is_refused()
    {
        var site = await _app.CreateSite("live-deny");
        await site.AddMember("outsider@live-deny.example");
        var room = await site.AddRoom(await site.AddSpace());
        var outsider = await site.As("outsider@live-deny.example");

        await Http.AssertProblem(await outsider.PostAsync(site.Api($"rooms/{room}/enter"), null), 403, "entry-denied");
        await using var admin = await LiveClient.Enter(site, site.AdminEmail, room);
    }
}
