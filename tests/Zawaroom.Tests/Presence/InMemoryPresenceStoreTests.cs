using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Zawaroom.Presence;
using Zawaroom.Presence.Memory;

namespace Zawaroom.Tests.Presence;

public sealed class InMemoryPresenceStoreTests
{
    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
    readonly InMemoryPresenceStore _store;
    static readonly CancellationToken Ct = CancellationToken.None;

    public InMemoryPresenceStoreTests() =>
        _store = new InMemoryPresenceStore(Options.Create(new PresenceOptions { HeartbeatTimeout = TimeSpan.FromSeconds(30) }), _clock);

    PresenceRecord Record(string site, string room, string connection, string email) =>
        new(site, room, connection, email, email[..email.IndexOf('@')], 0, 0, "online", null, _clock.GetUtcNow());

    [Fact]
    public async Task Occupants_are_per_site_and_room_once_per_member()
    {
        await _store.Join(Record("s1", "r1", "c1", "alice@x.example"), Ct);
        await _store.Join(Record("s1", "r1", "c2", "alice@x.example"), Ct);
        await _store.Join(Record("s1", "r2", "c3", "bob@x.example"), Ct);
        await _store.Join(Record("s2", "r1", "c4", "carol@x.example"), Ct);

        var inside = await _store.Occupants("s1", "r1", Ct);

        Assert.Equal(["alice@x.example"], inside.Select(o => o.Email));
    }

    [Fact]
    public async Task A_record_without_heartbeat_counts_as_gone_before_the_sweep_removes_it()
    {
        await _store.Join(Record("s1", "r1", "c1", "alice@x.example"), Ct);
        await _store.Join(Record("s1", "r1", "c2", "bob@x.example"), Ct);

        _clock.Advance(TimeSpan.FromSeconds(20));
        await _store.Heartbeat("s1", ["c2"], _clock.GetUtcNow(), Ct);
        _clock.Advance(TimeSpan.FromSeconds(15));

        Assert.Equal(["bob@x.example"], (await _store.Occupants("s1", "r1", Ct)).Select(o => o.Email));
        Assert.Null(await _store.Get("s1", "c1", Ct));
        Assert.Equal(["c1"], (await _store.Expired(_clock.GetUtcNow() - TimeSpan.FromSeconds(30), Ct)).Select(r => r.ConnectionId));
    }

    [Fact]
    public async Task Only_the_first_remover_gets_the_record()
    {
        await _store.Join(Record("s1", "r1", "c1", "alice@x.example"), Ct);

        Assert.NotNull(await _store.Remove("s1", "c1", Ct));
        Assert.Null(await _store.Remove("s1", "c1", Ct));
        Assert.Null(await _store.Update("s1", "c1", r => r with { Status = "busy" }, Ct));
    }

    [Fact]
    public async Task Another_site_cannot_reach_a_record_by_its_connection_id()
    {
        await _store.Join(Record("s1", "r1", "c1", "alice@x.example"), Ct);

        Assert.Null(await _store.Get("s2", "c1", Ct));
        Assert.Null(await _store.Remove("s2", "c1", Ct));
        Assert.NotNull(await _store.Get("s1", "c1", Ct));
    }
}
