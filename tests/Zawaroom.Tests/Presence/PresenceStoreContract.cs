using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Zawaroom.Presence;
using Zawaroom.Presence.Cosmos;
using Zawaroom.Presence.Memory;
using Zawaroom.Storage.Cosmos;
using Zawaroom.Tests.Storage;

namespace Zawaroom.Tests.Presence;

/// <summary>
/// What every presence adapter promises the live room (IPresenceStore's comments), run against the
/// in-memory adapter and the Cosmos DB one (on the stand-in). Every test uses sites of its own, so
/// the Cosmos container can be shared by the tests of a class.
/// </summary>
public abstract class PresenceStoreContract
{
    protected readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
    protected static readonly IOptions<PresenceOptions> Options =
        Microsoft.Extensions.Options.Options.Create(new PresenceOptions { HeartbeatTimeout = TimeSpan.FromSeconds(30) });
    protected static readonly CancellationToken Ct = CancellationToken.None;

    /// <summary>A store as one app instance sees it; calling it twice gives two instances over the same data.</summary>
    protected abstract IPresenceStore NewInstance();

    IPresenceStore? _store;
    IPresenceStore Store => _store ??= NewInstance();

    readonly string _s1 = "s1-" + Guid.NewGuid().ToString("N")[..8];
    readonly string _s2 = "s2-" + Guid.NewGuid().ToString("N")[..8];

    PresenceRecord Record(string site, string room, string connection, string email) =>
        new(site, room, connection, email, email[..email.IndexOf('@')], 0, 0, "online", null, Clock.GetUtcNow());

    [Fact]
    public async Task Occupants_are_per_site_and_room_once_per_member()
    {
        await Store.Join(Record(_s1, "r1", "c1", "alice@x.example"), Ct);
        await Store.Join(Record(_s1, "r1", "c2", "alice@x.example"), Ct);
        await Store.Join(Record(_s1, "r2", "c3", "bob@x.example"), Ct);
        await Store.Join(Record(_s2, "r1", "c4", "carol@x.example"), Ct);

        var inside = await Store.Occupants(_s1, "r1", Ct);

        Assert.Equal(["alice@x.example"], inside.Select(o => o.Email));
        Assert.Equal(["c1", "c2"], (await Store.InRoom(_s1, "r1", Ct)).Select(r => r.ConnectionId).Order());
    }

    [Fact]
    public async Task A_record_without_heartbeat_counts_as_gone_before_the_sweep_removes_it()
    {
        await Store.Join(Record(_s1, "r1", "c1", "alice@x.example"), Ct);
        await Store.Join(Record(_s1, "r1", "c2", "bob@x.example"), Ct);

        Clock.Advance(TimeSpan.FromSeconds(20));
        await Store.Heartbeat(_s1, ["c2"], Clock.GetUtcNow(), Ct);
        Clock.Advance(TimeSpan.FromSeconds(15));

        Assert.Equal(["bob@x.example"], (await Store.Occupants(_s1, "r1", Ct)).Select(o => o.Email));
        Assert.Null(await Store.Get(_s1, "c1", Ct));
        var expired = await Store.Expired(Clock.GetUtcNow() - TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(["c1"], expired.Where(r => r.SiteId == _s1).Select(r => r.ConnectionId));
    }

    [Fact]
    public async Task Only_the_first_remover_gets_the_record()
    {
        await Store.Join(Record(_s1, "r1", "c1", "alice@x.example"), Ct);

        Assert.NotNull(await Store.Remove(_s1, "c1", Ct));
        Assert.Null(await Store.Remove(_s1, "c1", Ct));
        Assert.Null(await Store.Update(_s1, "c1", r => r with { Status = "busy" }, Ct));
    }

    [Fact]
    public async Task Another_site_cannot_reach_a_record_by_its_connection_id()
    {
        await Store.Join(Record(_s1, "r1", "c1", "alice@x.example"), Ct);

        Assert.Null(await Store.Get(_s2, "c1", Ct));
        Assert.Null(await Store.Remove(_s2, "c1", Ct));
        Assert.NotNull(await Store.Get(_s1, "c1", Ct));
    }

    [Fact]
    public async Task Updates_keep_every_field_and_the_session_state()
    {
        var session = new SessionState(new ViewRect(10, 20, 1920, 1080), 350, [new ZoneRef(0, 0), new ZoneRef(1, 0)]);
        await Store.Join(Record(_s1, "r1", "c1", "alice@x.example") with { Session = session }, Ct);

        await Store.Update(_s1, "c1", r => r with { Status = "会議中" }, Ct);
        await Store.Move(_s1, "c1", 400, 300, "m1", Ct);
        var read = await Store.Get(_s1, "c1", Ct);

        Assert.NotNull(read);
        Assert.Equal("会議中", read.Status);
        Assert.Equal((400d, 300d, "m1"), (read.X, read.Y, read.MeetingRoomId));
        Assert.Equal(session.Viewport, read.Session!.Viewport);
        Assert.Equal(350, read.Session.VoiceReach);
        Assert.Equal(session.Zones, read.Session.Zones);
    }

    [Fact]
    public async Task The_newest_position_is_read_back_even_when_moves_come_fast()
    {
        await Store.Join(Record(_s1, "r1", "c1", "alice@x.example"), Ct);

        for (var i = 1; i <= 10; i++) await Store.Move(_s1, "c1", i * 10, i * 5, null, Ct);

        var me = await Store.Get(_s1, "c1", Ct);
        Assert.Equal((100d, 50d), (me!.X, me.Y));
        Assert.Equal((100d, 50d), (await Store.InRoom(_s1, "r1", Ct)).Select(r => (r.X, r.Y)).Single());
    }

    [Fact]
    public async Task A_record_renewed_since_it_was_listed_as_expired_is_not_swept()
    {
        await Store.Join(Record(_s1, "r1", "c1", "alice@x.example"), Ct);
        Clock.Advance(TimeSpan.FromSeconds(40));
        var cutoff = Clock.GetUtcNow() - TimeSpan.FromSeconds(30);
        Assert.Contains(await Store.Expired(cutoff, Ct), r => r.SiteId == _s1 && r.ConnectionId == "c1");

        await Store.Heartbeat(_s1, ["c1"], Clock.GetUtcNow(), Ct);

        Assert.Null(await Store.RemoveExpired(_s1, "c1", cutoff, Ct));
        Assert.NotNull(await Store.Get(_s1, "c1", Ct));
    }

    [Fact]
    public async Task Of_instances_sweeping_at_once_exactly_one_removes_an_expired_record()
    {
        var instances = Enumerable.Range(0, 4).Select(_ => NewInstance()).ToList();
        await instances[0].Join(Record(_s1, "r1", "c1", "alice@x.example"), Ct);
        Clock.Advance(TimeSpan.FromSeconds(31));
        var cutoff = Clock.GetUtcNow() - TimeSpan.FromSeconds(30);

        var removed = await Task.WhenAll(instances.Select(i => i.RemoveExpired(_s1, "c1", cutoff, Ct)));

        Assert.Single(removed, r => r is not null);
        Assert.Equal("alice@x.example", removed.Single(r => r is not null)!.Email);
        Assert.DoesNotContain(await instances[1].Expired(cutoff, Ct), r => r.SiteId == _s1);
    }
}

public sealed class InMemoryPresenceStoreContract : PresenceStoreContract
{
    InMemoryPresenceStore? _shared;

    /// <summary>Memory is one process: every "instance" is the same store.</summary>
    protected override IPresenceStore NewInstance() => _shared ??= new InMemoryPresenceStore(Options, Clock);
}

public sealed class CosmosPresenceStoreContract(CosmosStandIn cosmos) : PresenceStoreContract, IClassFixture<CosmosStandIn>
{
    static readonly Dictionary<CosmosStandIn, Func<Task<Microsoft.Azure.Cosmos.Container>>> Containers = new();

    Func<Task<Microsoft.Azure.Cosmos.Container>> Container()
    {
        lock (Containers)
        {
            if (!Containers.TryGetValue(cosmos, out var container))
            {
                var options = cosmos.Options();
                Containers[cosmos] = container = CosmosPresenceStore.ContainerOf(CosmosDocumentStore.CreateClient(options), options);
            }
            return container;
        }
    }

    protected override IPresenceStore NewInstance() => new CosmosPresenceStore(Container(), Options, Clock);

    [Fact]
    public async Task A_debounced_position_reaches_the_store_and_other_instances_after_the_write_interval()
    {
        var site = "deb-" + Guid.NewGuid().ToString("N")[..8];
        var writer = (CosmosPresenceStore)NewInstance();
        var reader = NewInstance();
        await writer.Join(new PresenceRecord(site, "r1", "c1", "a@x.example", "a", 0, 0, "online", null, Clock.GetUtcNow()), Ct);

        await writer.Move(site, "c1", 10, 10, null, Ct);
        await writer.Move(site, "c1", 20, 20, null, Ct);
        Assert.Equal(0, (await reader.Get(site, "c1", Ct))!.X);

        await writer.FlushMoves(Ct);

        Assert.Equal((20d, 20d), ((await reader.Get(site, "c1", Ct))!.X, (await reader.Get(site, "c1", Ct))!.Y));
    }

    [Fact]
    public async Task Items_carry_a_ttl_of_a_few_timeouts_for_cosmos_to_clean_up_behind_the_app()
    {
        var site = "ttl-" + Guid.NewGuid().ToString("N")[..8];
        await NewInstance().Join(new PresenceRecord(site, "r1", "c1", "a@x.example", "a", 0, 0, "online", null, Clock.GetUtcNow()), Ct);

        var container = await Container()();
        using var response = await container.ReadItemStreamAsync(CosmosDocumentStore.ItemId("presence", "c1"), new Microsoft.Azure.Cosmos.PartitionKey(site));
        using var item = await System.Text.Json.JsonDocument.ParseAsync(response.Content);

        var ttl = item.RootElement.GetProperty("ttl").GetInt32();
        Assert.InRange(ttl, (int)Options.Value.HeartbeatTimeout.TotalSeconds * 2, 3600);
    }

    [Fact]
    public async Task A_meeting_room_change_is_written_at_once()
    {
        var site = "mr-" + Guid.NewGuid().ToString("N")[..8];
        var writer = NewInstance();
        var reader = NewInstance();
        await writer.Join(new PresenceRecord(site, "r1", "c1", "a@x.example", "a", 0, 0, "online", null, Clock.GetUtcNow()), Ct);

        await writer.Move(site, "c1", 500, 500, "m1", Ct);

        Assert.Equal("m1", (await reader.Get(site, "c1", Ct))!.MeetingRoomId);
    }
}
