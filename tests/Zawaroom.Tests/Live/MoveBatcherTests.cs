using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Zawaroom.Live;

namespace Zawaroom.Tests.Live;

public sealed class MoveBatcherTests
{
    sealed class Recorder : IRoomBroadcaster
    {
        public List<(string Group, List<Moved> Batch)> Sent { get; } = [];
        public SemaphoreSlim Batches { get; } = new(0);
        public Task Send(Audience to, string method, object payload, CancellationToken ct) => Task.CompletedTask;
        public Task SendToGroup(string group, string method, object payload, CancellationToken ct)
        {
            lock (Sent) Sent.Add((group, ((IEnumerable<Moved>)payload).ToList()));
            Batches.Release();
            return Task.CompletedTask;
        }
        public Task AddToGroup(string connectionId, string group, CancellationToken ct) => Task.CompletedTask;
        public Task RemoveFromGroup(string connectionId, string group, CancellationToken ct) => Task.CompletedTask;
        public Task Close(string connectionId, CancellationToken ct) => Task.CompletedTask;
    }

    static readonly ZoneView Left = new(0, 0, 2, 1), Right = new(3, 0, 5, 1);

    /// <summary>Without the leading edge, so a test decides when the tick comes (<see cref="MoveBatcher.Flush"/>).</summary>
    static (MoveBatcher Batcher, Recorder Sent) Batcher(bool sendAtOnceWhenQuiet = false, TimeProvider? clock = null)
    {
        var sent = new Recorder();
        return (new MoveBatcher(sent, Options.Create(new LiveOptions { SendAtOnceWhenQuiet = sendAtOnceWhenQuiet }), clock ?? TimeProvider.System,
            NullLogger<MoveBatcher>.Instance), sent);
    }

    static PendingMove Move(string email, double x, (int, int) from, (int, int) to) => new("s1", "r1", new Moved(email, x, 100, null), from, to);

    [Fact]
    public void Each_watched_rectangle_gets_one_batch_a_tick_with_only_the_moves_inside_it()
    {
        var (batcher, sent) = Batcher();
        batcher.Watch("s1", "r1", "c1", Left);
        batcher.Watch("s1", "r1", "c2", Left);
        batcher.Watch("s1", "r1", "c3", Right);
        batcher.Add(Move("a@x", 100, (0, 0), (0, 0)));
        batcher.Add(Move("b@x", 150, (1, 0), (1, 0)));
        batcher.Add(Move("c@x", 4000, (5, 1), (5, 1)));

        batcher.Flush(CancellationToken.None).GetAwaiter().GetResult();

        Assert.Equal(2, sent.Sent.Count);
        var left = Assert.Single(sent.Sent, s => s.Group == Groups.View("s1", "r1", Left));
        Assert.Equal(["a@x", "b@x"], left.Batch.Select(m => m.Email).Order());
        var right = Assert.Single(sent.Sent, s => s.Group == Groups.View("s1", "r1", Right));
        Assert.Equal("c@x", Assert.Single(right.Batch).Email);
    }

    [Fact]
    public void Only_the_newest_position_is_sent_and_a_border_crossing_reaches_both_sides()
    {
        var (batcher, sent) = Batcher();
        batcher.Watch("s1", "r1", "c1", Left);
        batcher.Watch("s1", "r1", "c2", Right);
        batcher.Add(Move("a@x", 2300, (2, 0), (2, 0)));
        batcher.Add(Move("a@x", 2420, (2, 0), (3, 0)));

        batcher.Flush(CancellationToken.None).GetAwaiter().GetResult();

        Assert.Equal(2, sent.Sent.Count);
        Assert.All(sent.Sent, s => Assert.Equal(2420, Assert.Single(s.Batch).X));
    }

    [Fact]
    public void A_connection_that_watches_nothing_draws_no_batches()
    {
        var (batcher, sent) = Batcher();
        batcher.Watch("s1", "r1", "c1", Left);
        batcher.Watch("s1", "r1", "c1", null);
        batcher.Add(Move("a@x", 100, (0, 0), (0, 0)));

        batcher.Flush(CancellationToken.None).GetAwaiter().GetResult();

        Assert.Empty(sent.Sent);
    }

    [Fact]
    public void Moves_of_another_room_do_not_reach_its_neighbours()
    {
        var (batcher, sent) = Batcher();
        batcher.Watch("s1", "r2", "c1", Left);
        batcher.Add(Move("a@x", 100, (0, 0), (0, 0)));

        batcher.Flush(CancellationToken.None).GetAwaiter().GetResult();

        Assert.Empty(sent.Sent);
    }

    [Fact]
    public async Task The_first_move_in_a_quiet_room_goes_out_at_once_and_the_next_ones_wait_for_the_tick()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var (batcher, sent) = Batcher(sendAtOnceWhenQuiet: true, clock);
        batcher.Watch("s1", "r1", "c1", Left);

        // Nobody moved yet: Alice's first step is sent without waiting for a tick.
        batcher.Add(Move("a@x", 100, (0, 0), (0, 0)));
        Assert.True(await sent.Batches.WaitAsync(Inbox.Patience));
        Assert.Equal(100, Assert.Single(Assert.Single(sent.Sent).Batch).X);

        // Within the same tick the next steps coalesce: nothing more goes out until the tick, then only the newest.
        batcher.Add(Move("a@x", 110, (0, 0), (0, 0)));
        batcher.Add(Move("b@x", 200, (0, 0), (0, 0)));
        batcher.Add(Move("a@x", 120, (0, 0), (0, 0)));
        clock.Advance(TimeSpan.FromMilliseconds(20));
        batcher.Add(Move("a@x", 130, (0, 0), (0, 0)));
        Assert.Single(sent.Sent);
        await batcher.Flush(CancellationToken.None);
        Assert.Equal(2, sent.Sent.Count);
        Assert.Equal([("a@x", 130d), ("b@x", 200d)], sent.Sent[1].Batch.Select(m => (m.Email, m.X)).Order());

        // A tick later that tick's send still counts: the room is not quiet, so this move waits for the tick too.
        clock.Advance(TimeSpan.FromMilliseconds(30));
        batcher.Add(Move("a@x", 140, (0, 0), (0, 0)));
        Assert.Equal(2, sent.Sent.Count);
        await batcher.Flush(CancellationToken.None);
        Assert.Equal(140, Assert.Single(sent.Sent[2].Batch).X);
        Assert.True(await sent.Batches.WaitAsync(Inbox.Patience) && await sent.Batches.WaitAsync(Inbox.Patience));

        // A whole tick without a move: the room is quiet again, and the next step goes out at once.
        clock.Advance(TimeSpan.FromMilliseconds(50));
        await batcher.Flush(CancellationToken.None); // an empty tick
        batcher.Add(Move("b@x", 210, (0, 0), (0, 0)));
        Assert.True(await sent.Batches.WaitAsync(Inbox.Patience));
        Assert.Equal(210, Assert.Single(sent.Sent[3].Batch).X);
    }

    [Fact]
    public void The_zones_a_viewport_covers_make_one_rectangle()
    {
        var grid = new ZoneGrid(800);
        var view = ZoneView.Of(grid.Covering(grid.DefaultViewAround(2400, 1375), 300, RoomGeometry.Default));

        Assert.Equal(new ZoneView(1, 0, 4, 2), view);
        Assert.Null(ZoneView.Of([]));
    }
}
