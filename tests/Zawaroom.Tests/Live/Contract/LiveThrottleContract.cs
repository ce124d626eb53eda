using Microsoft.Extensions.Time.Testing;
using Zawaroom.Logs;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live.Contract;

/// <summary>
/// Per-connection protection with the default limits, the same on both transports (the throttle is in
/// the shared dispatch), on a clock the test moves: nothing here depends on how fast the machine is.
/// One connection flooding the room is limited and told so; the others in the room are not hurt.
/// </summary>
public abstract class LiveThrottleContract(ILiveDriver live)
{
    FakeTimeProvider Clock => live.FrozenClock!;

    async Task<(TestSite Site, string SiteId, string Room)> Room(string sub, params string[] members)
    {
        var site = await live.App.CreateSite(sub);
        foreach (var m in members) await site.AddMember($"{m}@{sub}.example");
        return (site, await LiveDriving.SiteId(site), await site.AddRoom(await site.AddSpace()));
    }

    async Task<List<UsageEvent>> Messages(TestSite site, string email) =>
        (await live.Log(site)).Where(e => e.Email == email && e.EventType == EventTypes.UserMessage).ToList();

    [Fact]
    public async Task Commands_beyond_the_burst_are_refused_as_rate_limited_not_logged_until_tokens_come_back_and_others_still_act()
    {
        var (site, _, room) = await Room("t-cmd", "alice", "bob");
        await using var alice = await live.Enter(site, "alice@t-cmd.example", room);
        await using var bob = await live.Enter(site, "bob@t-cmd.example", room);

        for (var i = 0; i < 10; i++) await alice.Invoke("Message", new { text = $"m{i}", cid = $"m{i}" });
        Assert.StartsWith("rate-limited:", await alice.Refused("Message", new { text = "too many", cid = "m10" }));
        Assert.Equal(10, (await Messages(site, "alice@t-cmd.example")).Count);

        // Bob's allowance is his own: he is heard at once, and Alice receives it while she is held back.
        await bob.Invoke("Message", new { text = "bob speaks", cid = "b1" });
        Assert.Equal("bob speaks", (await alice.Next("event", e => e.Str("type") == EventTypes.UserMessage && e.Str("email") == "bob@t-cmd.example")).Str("message"));

        Clock.Advance(TimeSpan.FromSeconds(1)); // 5 tokens per second
        for (var i = 0; i < 5; i++) await alice.Invoke("Message", new { text = $"later{i}", cid = $"later{i}" });
        Assert.StartsWith("rate-limited:", await alice.Refused("Message", new { text = "still too many", cid = "x" }));
        var messages = await Messages(site, "alice@t-cmd.example");
        Assert.Equal(15, messages.Count);
        Assert.DoesNotContain(messages, e => e.Details["message"] is "too many" or "still too many");
        // Nobody was pushed a refused message.
        Assert.DoesNotContain(bob.Drain(), m => m.Method == "event" && m.Payload.ToString().Contains("too many", StringComparison.Ordinal));
        // Keeping alive and leaving are never limited.
        await alice.Invoke("Heartbeat", new { });
        await alice.Invoke("Leave", new { });
        Assert.Equal("alice@t-cmd.example", (await bob.Next("left")).Str("email"));
    }

    [Fact]
    public async Task Moves_faster_than_the_limit_are_coalesced_the_latest_wins_and_others_still_move()
    {
        var (site, siteId, room) = await Room("t-move", "alice", "bob", "carol");
        await using var alice = await live.Enter(site, "alice@t-move.example", room);
        await using var bob = await live.Enter(site, "bob@t-move.example", room);
        async Task<(double, double)> Where(string email) =>
            (await live.Presence().InRoom(siteId, room, CancellationToken.None)).Where(r => r.Email == email).Select(r => (r.X, r.Y)).Single();

        // Fifty moves at one instant: the first is applied, the rest wait for the next slot (1/20 s).
        for (var i = 1; i <= 50; i++) await alice.Invoke("Move", new { x = 1000 + i, y = 500 });
        Assert.Equal((1001d, 500d), await Where("alice@t-move.example"));
        // Bob's moves are not held back by Alice's flood.
        await bob.Invoke("Move", new { x = 3000, y = 700 });
        Assert.Equal((3000d, 700d), await Where("bob@t-move.example"));

        Clock.Advance(TimeSpan.FromMilliseconds(50));
        var deadline = DateTime.UtcNow + Inbox.Patience;
        while (await Where("alice@t-move.example") != (1050d, 500d) && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal((1050d, 500d), await Where("alice@t-move.example"));

        // Carol, coming in, sees where she ended.
        await using var carol = await live.Enter(site, "carol@t-move.example", room);
        Assert.Equal(1050, carol.FirstSnapshot.Person("alice@t-move.example").GetProperty("x").GetDouble());
    }
}

public sealed class InProcessFrozenDriver : InProcessDriver
{
    readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    public override FakeTimeProvider? FrozenClock => _clock;
}

public sealed class AzureFrozenDriver : AzureDriver
{
    readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    public override FakeTimeProvider? FrozenClock => _clock;
}

public sealed class InProcessThrottleTests(InProcessFrozenDriver live) : LiveThrottleContract(live), IClassFixture<InProcessFrozenDriver>;

public sealed class AzureThrottleTests(AzureFrozenDriver live) : LiveThrottleContract(live), IClassFixture<AzureFrozenDriver>;
