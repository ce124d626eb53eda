using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Zawaroom.Logs;
using Zawaroom.Presence;
using System.Net.WebSockets;
using System.Text;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

/// <summary>
/// No ghosts (L1). The app runs on a clock the tests move, with a 2 s heartbeat timeout, and SignalR's
/// own (wall-clock) client timeout set far away: a silent tab is removed by the presence sweep when the
/// app's clock passes its timeout, and a busy machine cannot time out the watching client by accident.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class DisconnectTests : IClassFixture<DisconnectTests.QuickTimeoutApp>
{
    public sealed class QuickTimeoutApp : IAsyncLifetime
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
        public TestApp App { get; } = new TestApp().With("Zawaroom:Live:HeartbeatTimeout", "00:00:02").With("Zawaroom:Live:ClientTimeout", "00:05:00");
        public Task InitializeAsync()
        {
            App.Clock = Clock;
            return App.InitializeAsync();
        }
        public Task DisposeAsync() => ((IAsyncLifetime)App).DisposeAsync();

        /// <summary>
        /// Moves the app's clock on in 1 s steps (half the timeout), the watcher heartbeating after each as a
        /// live tab does, until the watcher is told <paramref name="method"/>; at most 20 steps.
        /// </summary>
        public async Task<(JsonElement Payload, int Seconds)> PassTheTimeoutUntil(LiveClient watcher, string method)
        {
            for (var step = 0; step < 20; step++)
            {
                Clock.Advance(TimeSpan.FromSeconds(1));
                await watcher.Invoke("Heartbeat", new { });
                if (await watcher.TryNext(method, TimeSpan.FromMilliseconds(step < 2 ? 50 : 1000)) is { } payload) return (payload, step + 1);
            }
            throw new Xunit.Sdk.XunitException($"{watcher.Email} was not told '{method}' within 20 s of the app's time.");
        }
    }

    readonly TestApp _app;
    readonly QuickTimeoutApp _fixture;
    public DisconnectTests(QuickTimeoutApp fixture) => (_app, _fixture) = (fixture.App, fixture);

    /// <summary>A raw WebSocket that completes the SignalR handshake, as a browser tab would, and is then left to us.</summary>
    static async Task<ClientWebSocket> Tab(string hubUrl, string token)
    {
        var socket = new ClientWebSocket();
        var ws = new Uri(hubUrl.Replace("http://", "ws://") + "?access_token=" + Uri.EscapeDataString(token));
        await socket.ConnectAsync(ws, CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
        // One ping, as a live tab sends: SignalR starts timing a client out from its first message.
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":6}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
        return socket;
    }

    async Task<(TestSite Site, string Room, LiveClient Watcher, string HubUrl, string Token)> Setup(string sub)
    {
        var site = await _app.CreateSite(sub);
        await site.AddMember($"alice@{sub}.example");
        await site.AddMember($"bob@{sub}.example");
        var room = await site.AddRoom(await site.AddSpace());
        var watcher = await LiveClient.Enter(site, $"alice@{sub}.example", room);
        var bob = await site.As($"bob@{sub}.example");
        var entry = await Http.Ensure<System.Text.Json.JsonElement>(await bob.PostAsync(site.Api($"rooms/{room}/enter"), null));
        var negotiate = entry.GetProperty("negotiate");
        return (site, room, watcher, negotiate.Str("url"), negotiate.Str("accessToken"));
    }

    [Fact]
    public async Task A_killed_tab_disappears_for_the_others()
    {
        var (_, _, alice, url, token) = await Setup("kill-tab");
        await using var _ = alice;
        var tab = await Tab(url, token);
        Assert.Equal("bob@kill-tab.example", (await alice.Next("entered")).Str("email"));

        tab.Abort();

        Assert.Equal("bob@kill-tab.example", (await alice.Next("left")).Str("email"));
    }

    [Fact]
    public async Task A_tab_that_stops_answering_is_removed_after_the_heartbeat_timeout()
    {
        var (site, room, alice, url, token) = await Setup("kill-mute");
        await using var _ = alice;
        using var tab = await Tab(url, token);
        Assert.Equal("bob@kill-mute.example", (await alice.Next("entered")).Str("email"));

        // The socket stays open but the tab sends nothing more (frozen, or its network is gone), while time passes.
        var (left, seconds) = await _fixture.PassTheTimeoutUntil(alice, "left");
        Assert.Equal("bob@kill-mute.example", left.Str("email"));
        // Removed once its heartbeat timeout (2 s) had passed on the app's clock, not before.
        Assert.True(seconds >= 3, $"removed after {seconds} s");
        var entry = await Http.Ensure<System.Text.Json.JsonElement>(await (await site.As("alice@kill-mute.example")).PostAsync(site.Api($"rooms/{room}/enter"), null));
        Assert.False(entry.GetProperty("snapshot").HasPerson("bob@kill-mute.example"));
    }
}

[Collection(TimingSensitive.Name)]
public sealed class CrashedInstanceTests(DisconnectTests.QuickTimeoutApp fixture) : IClassFixture<DisconnectTests.QuickTimeoutApp>
{
    [Fact]
    public async Task The_people_of_a_crashed_instance_are_swept_out_and_logged_as_leaving()
    {
        var app = fixture.App;
        var site = await app.CreateSite("crashed");
        await site.AddMember("alice@crashed.example");
        var room = await site.AddRoom(await site.AddSpace());
        await using var alice = await LiveClient.Enter(site, "alice@crashed.example", room);
        var siteId = (await Http.Ensure<System.Text.Json.JsonElement>(await (await site.Admin()).GetAsync(site.Api("me")))).Str("siteId");
        // A record another instance wrote and stopped renewing when it crashed.
        var presence = app.Services.GetRequiredService<IPresenceStore>();
        await presence.Join(new PresenceRecord(siteId, room, "conn-of-dead-instance", "ghost@crashed.example", "ghost", 10, 10, "online", null,
            fixture.Clock.GetUtcNow()), CancellationToken.None);

        Assert.Equal("ghost@crashed.example", (await fixture.PassTheTimeoutUntil(alice, "left")).Payload.Str("email"));
        Assert.DoesNotContain(await presence.Occupants(siteId, room, CancellationToken.None), o => o.Email == "ghost@crashed.example");
        var now = fixture.Clock.GetUtcNow();
        var log = app.Services.GetRequiredService<IEventLog>().Read(siteId, now.AddHours(-1), now.AddHours(1), CancellationToken.None);
        Assert.Single(await log.Where(e => e.Email == "ghost@crashed.example").ToListAsync(), e => e.EventType == "leave room");
    }
}
