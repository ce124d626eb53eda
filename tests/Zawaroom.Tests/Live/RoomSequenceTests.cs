using Zawaroom.Live;
using Zawaroom.Storage;
using Zawaroom.Storage.Cosmos;
using Zawaroom.Storage.Sqlite;
using Zawaroom.Tests.Storage;

namespace Zawaroom.Tests.Live;

/// <summary>L4's counter: every adapter hands out 1, 2, 3 … per room, never a number twice, also when taken at once.</summary>
public abstract class RoomSequenceContract
{
    protected abstract IRoomSequence Sequence { get; }
    readonly string _site = "site-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Numbers_count_up_per_room_and_current_is_the_last_taken()
    {
        Assert.Equal(0, await Sequence.Current(_site, "a", default));
        Assert.Equal(1, await Sequence.Next(_site, "a", default));
        Assert.Equal(2, await Sequence.Next(_site, "a", default));
        Assert.Equal(1, await Sequence.Next(_site, "b", default));
        Assert.Equal(2, await Sequence.Current(_site, "a", default));
        Assert.Equal(0, await Sequence.Current("other-" + _site, "a", default));
    }

    [Fact]
    public async Task Numbers_taken_at_once_are_all_different()
    {
        Assert.Equal(1, await Sequence.Next(_site, "busy", default));
        var taken = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => Sequence.Next(_site, "busy", default))));
        Assert.Equal(Enumerable.Range(2, 40).Select(i => (long)i), taken.Order());
        Assert.Equal(41, await Sequence.Current(_site, "busy", default));
    }

    [Fact]
    public async Task A_forgotten_room_starts_again()
    {
        await Sequence.Next(_site, "gone", default);
        await Sequence.Forget(_site, "gone", default);
        Assert.Equal(0, await Sequence.Current(_site, "gone", default));
    }
}

public sealed class InMemoryRoomSequenceTests : RoomSequenceContract
{
    protected override IRoomSequence Sequence { get; } = new InMemoryRoomSequence();
}

public sealed class SqliteRoomSequenceTests : RoomSequenceContract, IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "zawaroom-tests", Guid.NewGuid().ToString("N"));
    readonly IRoomSequence _sequence;

    public SqliteRoomSequenceTests() => _sequence = new DocumentRoomSequence(new SqliteDocumentStore(Path.Combine(_folder, "seq.db")));
    protected override IRoomSequence Sequence => _sequence;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

public sealed class CosmosRoomSequenceTests(CosmosStandIn cosmos) : RoomSequenceContract, IClassFixture<CosmosStandIn>
{
    IRoomSequence? _sequence;
    protected override IRoomSequence Sequence => _sequence ??= new DocumentRoomSequence(new CosmosDocumentStore(cosmos.Options()));
}
