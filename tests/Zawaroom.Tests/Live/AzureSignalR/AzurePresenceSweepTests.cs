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

    async Task<StandInConnection> Connect(TestSite site, string email, string roomId)
    {
        var http = await site.As(email);
        var negotiate = (await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"rooms/{roomId}/enter"), null))).GetProperty("negotiate");
        var connection = await azure.Service.Connect(negotiate.GetProperty("url").GetString()!, negotiate.GetProperty("accessToken").GetString()!);
        await connection.Next("snapshot");
        return connection;
    }
}
