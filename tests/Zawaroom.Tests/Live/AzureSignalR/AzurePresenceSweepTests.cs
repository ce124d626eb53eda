using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Zawaroom.Live;
using Zawaroom.Realtime.AzureSignalR;
using Zawaroom.Logs;
using Zawaroom.Presence;
using Zawaroom.Presence.Cosmos;
using Zawaroom.Storage.Cosmos;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live.AzureSignalR;

/// <summary>The Azure app on a fake clock: heartbeats and the sweep decide, not luck.</summary>
public sealed class AzureLiveAppOnFakeClock : AzureLiveApp
{
    public FakeTimeProvider FakeClock { get; } = new(DateTimeOffset.UtcNow);
    protected override FakeTimeProvider? Clock => FakeClock;
}

/// <summary>
/// Serverless: the app holds no connections, so only a client's <c>Heartbeat</c> keeps its presence
/// alive, and every instance sweeps. Two instances sweeping at once remove a silent member once:
/// one <c>left</c>, one "leave room" in the log, the service told to close the connection.
/// </summary>
public sealed class AzurePresenceSweepTests(AzureLiveAppOnFakeClock azure) : IClassFixture<AzureLiveAppOnFakeClock>
{
    [Fact]
    public async Task A_silent_member_is_swept_once_by_whichever_instance_comes_first_and_a_heartbeating_one_stays()
    {
        var site = await azure.App.CreateSite("azsweep");
        await site.AddMember("alice@azsweep.example");
        await site.AddMember("bob@azsweep.example");
        var roomId = await site.AddRoom(await site.AddSpace("本社"), "開発室");
        var alice = await Connect(site, "alice@azsweep.example", roomId);
        var bob = await Connect(site, "bob@azsweep.example", roomId);
        var siteId = await AzureSignalRTests.SiteId(site);
        var timeout = azure.App.Services.GetRequiredService<IOptions<PresenceOptions>>().Value.HeartbeatTimeout;

        // Alice's browser sends Heartbeat; Bob's tab was killed and sends nothing.
        azure.FakeClock.Advance(timeout * 2 / 3);
        Assert.Null(await alice.Invoke("Heartbeat", new { }));
        azure.FakeClock.Advance(timeout / 2);

        // A second instance of the app: its own presence adapter over the same container, the same log and service.
        var services = azure.App.Services;
        var secondStore = new CosmosPresenceStore(
            CosmosPresenceStore.ContainerOf(CosmosDocumentStore.CreateClient(services.GetRequiredService<IOptions<CosmosStoreOptions>>().Value),
                services.GetRequiredService<IOptions<CosmosStoreOptions>>().Value),
            services.GetRequiredService<IOptions<PresenceOptions>>(), azure.FakeClock);
        var secondCommands = ActivatorUtilities.CreateInstance<RoomCommands>(services, secondStore);
        var secondSweep = ActivatorUtilities.CreateInstance<PresenceSweep>(services, secondStore, secondCommands);
        var firstSweep = services.GetRequiredService<PresenceSweep>();

        await Task.WhenAll(firstSweep.Sweep(CancellationToken.None), secondSweep.Sweep(CancellationToken.None));

        Assert.Equal("bob@azsweep.example", (await alice.Next("left")).GetProperty("email").GetString());
        // The sweep that removed Bob (whichever instance) tells the room, then has the service close his connection.
        await azure.Service.Connection(bob.Id)!.WhenClosed();
        var inRoom = await services.GetRequiredService<IPresenceStore>().InRoom(siteId, roomId, default);
        Assert.Equal(["alice@azsweep.example"], inRoom.Select(r => r.Email));
        var log = await services.GetRequiredService<IEventLog>()
            .Read(siteId, azure.FakeClock.GetUtcNow().AddHours(-1), azure.FakeClock.GetUtcNow().AddHours(1), default).ToListAsync();
        Assert.Single(log, e => e.EventType == EventTypes.LeaveRoom && e.Email == "bob@azsweep.example");
        Assert.DoesNotContain(log, e => e.EventType == EventTypes.LeaveRoom && e.Email == "alice@azsweep.example");
        Assert.Null(await alice.Invoke("SetStatus", new { status = "まだいる", cid = "still" }));
    }

    [Fact]
    public async Task A_member_swept_while_the_service_refuses_pushes_is_told_gone_on_a_later_pass_and_logged_once()
    {
        var site = await azure.App.CreateSite("azowed");
        await site.AddMember("alice@azowed.example");
        await site.AddMember("bob@azowed.example");
        var roomId = await site.AddRoom(await site.AddSpace("本社"), "開発室");
        var alice = await Connect(site, "alice@azowed.example", roomId);
        var bob = await Connect(site, "bob@azowed.example", roomId);
        var siteId = await AzureSignalRTests.SiteId(site);
        var services = azure.App.Services;
        var timeout = services.GetRequiredService<IOptions<PresenceOptions>>().Value.HeartbeatTimeout;
        var sweep = services.GetRequiredService<PresenceSweep>();

        azure.FakeClock.Advance(timeout * 2 / 3);
        Assert.Null(await alice.Invoke("Heartbeat", new { }));
        // Bob's tab is silent. The sweep that removes his record cannot push (the service answers 500 to every call).
        azure.Service.FailNext(10_000, 500);
        azure.FakeClock.Advance(timeout / 2);
        await Assert.ThrowsAnyAsync<Exception>(() => sweep.Sweep(CancellationToken.None));
        Assert.DoesNotContain(alice.Received, r => r.Method == "left" && r.Payload.GetProperty("email").GetString() == "bob@azowed.example");
        Assert.NotEqual(0, sweep.Owing);
        azure.Service.FailNext(0);

        // The record is gone, yet the next pass still tells the room and has the service close bob's connection.
        await sweep.Sweep(CancellationToken.None);
        await alice.Next("left", p => p.GetProperty("email").GetString() == "bob@azowed.example");
        await azure.Service.Connection(bob.Id)!.WhenClosed();
        Assert.Equal(0, sweep.Owing);
        var log = await services.GetRequiredService<IEventLog>()
            .Read(siteId, azure.FakeClock.GetUtcNow().AddHours(-1), azure.FakeClock.GetUtcNow().AddHours(1), default).ToListAsync();
        Assert.Single(log, e => e.EventType == EventTypes.LeaveRoom && e.Email == "bob@azowed.example");
        Assert.DoesNotContain(log, e => e.EventType == EventTypes.LeaveRoom && e.Email == "alice@azowed.example");
    }

    async Task<StandInConnection> Connect(TestSite site, string email, string roomId)
    {
        var http = await site.As(email);
        var negotiate = (await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"rooms/{roomId}/enter"), null))).GetProperty("negotiate");
        var connection = await azure.Service.Connect(negotiate.GetProperty("url").GetString()!, negotiate.GetProperty("accessToken").GetString()!);
        await connection.Next("snapshot");
        return connection;
    }
}
