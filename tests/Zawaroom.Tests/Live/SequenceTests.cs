using System.Text.Json;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

/// <summary>L4: room-wide pushes carry a per-room seq; a snapshot carries the last one it reflects.</summary>
public sealed class SequenceTests : IClassFixture<SequenceTests.BusyApp>
{
    /// <summary>Generous command limits: these tests fire many room events from one connection.</summary>
    public sealed class BusyApp : IAsyncLifetime
    {
        public TestApp App { get; } = new TestApp()
            .With("Zawaroom:Live:Throttle:CommandBurst", "10000").With("Zawaroom:Live:Throttle:CommandsPerSecond", "10000");
        public Task InitializeAsync() => App.InitializeAsync();
        public Task DisposeAsync() => ((IAsyncLifetime)App).DisposeAsync();
    }

    readonly TestApp _app;
    public SequenceTests(BusyApp fixture) => _app = fixture.App;

    async Task<(TestSite Site, string Room)> Room(string sub, params string[] members)
    {
        var site = await _app.CreateSite(sub);
        foreach (var m in members) await site.AddMember($"{m}@{sub}.example");
        return (site, await site.AddRoom(await site.AddSpace()));
    }

    [Fact]
    public async Task Room_wide_pushes_count_up_by_one_and_a_snapshot_names_the_last_it_reflects()
    {
        var (site, room) = await Room("seq-basic", "alice", "bob", "carol");
        await using var alice = await LiveClient.Enter(site, "alice@seq-basic.example", room);
        var start = alice.FirstSnapshot.Seq();
        await using var bob = await LiveClient.Enter(site, "bob@seq-basic.example", room);
        var entered = await alice.Next("entered");
        Assert.Equal(start + 1, entered.Seq());
        Assert.Equal(start + 1, bob.FirstSnapshot.Seq());
        Assert.Equal(300, bob.FirstSnapshot.Person("alice@seq-basic.example").GetProperty("reach").GetDouble());
        Assert.False(bob.FirstSnapshot.Person("alice@seq-basic.example").GetProperty("inZoomMeeting").GetBoolean());

        await bob.Invoke("VoiceArea", new { reach = 450, cid = "v1" });
        var voice = await alice.Next("event", e => e.Str("type") == "voiceArea");
        Assert.Equal(start + 2, voice.Seq());
        Assert.Equal(start + 2, (await bob.Next("event")).Seq());
        await bob.Invoke("Leave", new { });
        Assert.Equal(start + 3, (await alice.Next("left")).Seq());

        await using var carol = await LiveClient.Enter(site, "carol@seq-basic.example", room);
        Assert.Equal(start + 4, carol.FirstSnapshot.Seq());
        await alice.Invoke("Resync", new { });
        var fresh = await alice.Next("snapshot");
        Assert.Equal(start + 4, fresh.Seq());
        Assert.True(fresh.HasPerson("carol@seq-basic.example"));
        Assert.False(fresh.HasPerson("bob@seq-basic.example"));
    }

    [Fact]
    public async Task The_reach_set_by_voice_area_is_in_the_snapshot_and_in_entered()
    {
        var (site, room) = await Room("seq-reach", "alice", "bob");
        await using (var first = await LiveClient.Enter(site, "alice@seq-reach.example", room))
        {
            await first.Invoke("VoiceArea", new { reach = 640, cid = "r1" });
            // A second tab replaces the first and keeps the reach.
            await using var alice = await LiveClient.Enter(site, "alice@seq-reach.example", room);
            await using var bob = await LiveClient.Enter(site, "bob@seq-reach.example", room);
            Assert.Equal(640, bob.FirstSnapshot.Person("alice@seq-reach.example").GetProperty("reach").GetDouble());
            var entered = await alice.Next("entered", e => e.Str("email") == "bob@seq-reach.example");
            Assert.Equal(300, entered.GetProperty("reach").GetDouble());
        }
    }

    /// <summary>
    /// Alice keeps changing her status while others enter, and Bob reconnects: each newcomer's snapshot
    /// shows the status of exactly the last push before its seq, and from there it receives every later
    /// push once, in order, with seq counting up by one. Nothing lost, nothing doubled.
    /// </summary>
    [Fact]
    public async Task Clients_entering_while_events_fire_neither_lose_nor_double_any()
    {
        var (site, room) = await Room("seq-race", "alice", "bob", "carol", "dave");
        await using var alice = await LiveClient.Enter(site, "alice@seq-race.example", room);
        var sent = 0;
        var extra = 0;
        var allIn = false;
        var firing = Task.Run(async () =>
        {
            // Until everyone is in, then 20 more: every newcomer has events after its snapshot.
            for (var i = 0; ; i++)
            {
                await alice.Invoke("SetStatus", new { status = $"s{i}", cid = $"c{i}" });
                Volatile.Write(ref sent, i + 1);
                if (Volatile.Read(ref allIn) && i >= 30 && ++extra >= 20) return i + 1;
            }
        });
        async Task<LiveClient> EnterAfter(int events, string who)
        {
            while (Volatile.Read(ref sent) < events) await Task.Delay(5);
            return await LiveClient.Enter(site, $"{who}@seq-race.example", room);
        }

        var clients = new List<LiveClient>();
        try
        {
            clients.Add(await EnterAfter(5, "bob")); // replaced below (a reconnect): not checked
            clients.Add(await EnterAfter(10, "carol"));
            clients.Add(await EnterAfter(15, "dave"));
            clients.Add(await EnterAfter(20, "bob"));
            Volatile.Write(ref allIn, true);
            var count = await firing;

            foreach (var client in clients.Skip(1))
            {
                var snapshot = client.FirstSnapshot;
                var status = snapshot.Person("alice@seq-race.example").Str("status");
                var next = status == "online" ? 0 : int.Parse(status[1..]) + 1;
                var expectedSeq = snapshot.Seq() + 1;
                var received = new List<(string, JsonElement)>();
                var last = await client.Next("event", e => e.Str("type") == "status" && e.Str("status") == $"s{count - 1}", received);
                received.Add(("event", last));
                var statuses = new List<string>();
                foreach (var (method, payload) in received)
                {
                    if (!LiveClient.Sequenced.Contains(method)) continue;
                    Assert.Equal(expectedSeq++, payload.Seq());
                    if (method == "event" && payload.Str("email") == "alice@seq-race.example") statuses.Add(payload.Str("status"));
                }
                Assert.Equal(Enumerable.Range(next, count - next).Select(i => $"s{i}"), statuses);
            }
        }
        finally
        {
            Volatile.Write(ref allIn, true);
            foreach (var c in clients) await c.DisposeAsync();
        }
    }
}
