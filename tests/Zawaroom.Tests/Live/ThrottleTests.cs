using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Zawaroom.Logs;
using Zawaroom.Presence;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

/// <summary>Per-connection protection, on a clock the test moves: nothing here depends on how fast the machine is.</summary>
public sealed class ThrottleTests : IClassFixture<ThrottleTests.FrozenClockApp>
{
    public sealed class FrozenClockApp : IAsyncLifetime
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
        public TestApp App { get; } = new();
        public Task InitializeAsync()
        {
            App.Clock = Clock;
            return App.InitializeAsync();
        }
        public Task DisposeAsync() => ((IAsyncLifetime)App).DisposeAsync();
    }

    readonly FrozenClockApp _world;
    public ThrottleTests(FrozenClockApp world) => _world = world;

    async Task<(TestSite Site, string SiteId, string Room)> Room(string sub, params string[] members)
    {
        var site = await _world.App.CreateSite(sub);
        foreach (var m in members) await site.AddMember($"{m}@{sub}.example");
        var siteId = (await Http.Ensure<JsonElement>(await (await site.Admin()).GetAsync(site.Api("me")))).Str("siteId");
        return (site, siteId, await site.AddRoom(await site.AddSpace()));
    }

    async Task<List<UsageEvent>> Log(string siteId, string email)
    {
        var now = _world.Clock.GetUtcNow();
        return await _world.App.Services.GetRequiredService<IEventLog>().Read(siteId, now.AddHours(-1), now.AddHours(1), CancellationToken.None)
            .Where(e => e.Email == email).ToListAsync();
    }

    [Fact]
    public async Task Commands_beyond_the_burst_are_refused_as_rate_limited_and_not_logged_until_tokens_come_back()
    {
        var (site, siteId, room) = await Room("thr-cmd", "alice");
        await using var alice = await LiveClient.Enter(site, "alice@thr-cmd.example", room);

        for (var i = 0; i < 10; i++) await alice.Invoke("Message", new { text = $"m{i}", cid = $"m{i}" });
        var refused = await Assert.ThrowsAsync<HubException>(() => alice.Invoke("Message", new { text = "too many", cid = "m10" }));
        Assert.Contains("HubException: rate-limited:", refused.Message);
        Assert.Equal(10, (await Log(siteId, "alice@thr-cmd.example")).Count(e => e.EventType == "userMessage"));

        _world.Clock.Advance(TimeSpan.FromSeconds(1)); // 5 tokens per second
        for (var i = 0; i < 5; i++) await alice.Invoke("Message", new { text = $"later{i}", cid = $"later{i}" });
        await Assert.ThrowsAsync<HubException>(() => alice.Invoke("Message", new { text = "still too many", cid = "x" }));
        var messages = (await Log(siteId, "alice@thr-cmd.example")).Where(e => e.EventType == "userMessage").ToList();
        Assert.Equal(15, messages.Count);
        Assert.DoesNotContain(messages, e => e.Details["message"] is "too many" or "still too many");
    }

    [Fact]
    public async Task Moves_faster_than_the_limit_are_coalesced_and_the_latest_wins()
    {
        var (site, siteId, room) = await Room("thr-move", "alice", "bob");
        await using var alice = await LiveClient.Enter(site, "alice@thr-move.example", room);
        var presence = _world.App.Services.GetRequiredService<IPresenceStore>();
        async Task<(double, double)> Where() =>
            (await presence.InRoom(siteId, room, CancellationToken.None)).Where(r => r.Email == "alice@thr-move.example")
                .Select(r => (r.X, r.Y)).Single();

        // Fifty moves at one instant: the first is applied, the rest wait for the next slot (1/20 s).
        for (var i = 1; i <= 50; i++) await alice.Invoke("Move", new { x = 1000 + i, y = 500 });
        Assert.Equal((1001d, 500d), await Where());

        _world.Clock.Advance(TimeSpan.FromMilliseconds(50));
        var deadline = DateTime.UtcNow + LiveClient.Patience;
        while (await Where() != (1050d, 500d) && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal((1050d, 500d), await Where());

        // Bob, watching, sees where she ended when the move batch goes out.
        await using var bob = await LiveClient.Enter(site, "bob@thr-move.example", room);
        Assert.Equal(1050, bob.FirstSnapshot.Person("alice@thr-move.example").GetProperty("x").GetDouble());
    }
}

public sealed class ThrottleRuleTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_bucket_gives_its_burst_then_refills_at_its_rate_up_to_the_burst()
    {
        var bucket = new Zawaroom.Live.TokenBucket(10, 5, T0);
        Assert.Equal(10, Enumerable.Range(0, 20).Count(_ => bucket.TryTake(T0)));
        Assert.Equal(5, Enumerable.Range(0, 20).Count(_ => bucket.TryTake(T0.AddSeconds(1))));
        Assert.Equal(10, Enumerable.Range(0, 20).Count(_ => bucket.TryTake(T0.AddMinutes(5))));
    }

    [Fact]
    public void A_move_too_soon_is_held_the_newest_replaces_it_and_it_is_released_in_its_slot()
    {
        var gate = new Zawaroom.Live.MoveGate(20);
        Assert.Equal(Zawaroom.Live.MoveGate.Verdict.Apply, gate.Offer(new(1, 1), T0, out _));
        Assert.Equal(Zawaroom.Live.MoveGate.Verdict.HeldAndSchedule, gate.Offer(new(2, 2), T0.AddMilliseconds(10), out var wait));
        Assert.Equal(TimeSpan.FromMilliseconds(40), wait);
        Assert.Equal(Zawaroom.Live.MoveGate.Verdict.Held, gate.Offer(new(3, 3), T0.AddMilliseconds(20), out _));
        Assert.Equal(new Zawaroom.Live.MoveCommand(3, 3), gate.Release(T0.AddMilliseconds(50)));
        Assert.Null(gate.Release(T0.AddMilliseconds(60)));
        Assert.Equal(Zawaroom.Live.MoveGate.Verdict.Apply, gate.Offer(new(4, 4), T0.AddMilliseconds(100), out _));
    }
}
