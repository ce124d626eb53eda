using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Zawaroom.Logs;
using Zawaroom.Presence;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

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
