namespace Zawaroom.Live;

/// <summary>Per-connection protection of the live room ("Zawaroom:Live:Throttle").</summary>
public sealed class ThrottleOptions
{
    /// <summary>Moves per second a connection gets applied; more are coalesced, the latest wins.</summary>
    public double MovesPerSecond { get; set; } = 20;
    /// <summary>L2 actions (and Resync): a token bucket of this size …</summary>
    public double CommandBurst { get; set; } = 10;
    /// <summary>… refilled at this rate.</summary>
    public double CommandsPerSecond { get; set; } = 5;
    /// <summary>WebRTC signalling and viewport changes come in bursts (ICE candidates, scrolling): a bigger bucket.</summary>
    public double SignalBurst { get; set; } = 200;
    public double SignalsPerSecond { get; set; } = 50;
}

/// <summary>A token bucket: <see cref="TryTake"/> spends one token, tokens come back at a steady rate up to the burst.</summary>
public sealed class TokenBucket(double burst, double perSecond, DateTimeOffset now)
{
    readonly double _burst = burst;
    double _tokens = burst;
    DateTimeOffset _at = now;
    readonly Lock _gate = new();

    public bool TryTake(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (now > _at)
            {
                _tokens = Math.Min(_burst, _tokens + (now - _at).TotalSeconds * perSecond);
                _at = now;
            }
            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
    }
}

/// <summary>
/// Spaces a connection's moves at least 1/rate apart. A move that comes too soon is held (replacing any
/// held one: latest wins) and applied when its slot comes, so the avatar always ends where the client stopped.
/// </summary>
public sealed class MoveGate(double perSecond)
{
    readonly TimeSpan _spacing = TimeSpan.FromSeconds(1 / perSecond);
    readonly Lock _gate = new();
    DateTimeOffset? _last;
    MoveCommand? _held;
    bool _scheduled;

    /// <summary>One move of the connection applied at a time (a held one may come due while the next arrives).</summary>
    public SemaphoreSlim Applying { get; } = new(1, 1);

    public enum Verdict { Apply, Held, HeldAndSchedule }

    /// <summary>Apply now, or held (the caller schedules <see cref="Release"/> after <paramref name="wait"/> when told to).</summary>
    public Verdict Offer(MoveCommand move, DateTimeOffset now, out TimeSpan wait)
    {
        lock (_gate)
        {
            wait = TimeSpan.Zero;
            if (_last is null || now - _last >= _spacing)
            {
                if (!_scheduled) { _held = null; _last = now; return Verdict.Apply; }
            }
            _held = move;
            if (_scheduled) return Verdict.Held;
            _scheduled = true;
            wait = _spacing - (now - _last!.Value);
            if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
            return Verdict.HeldAndSchedule;
        }
    }

    /// <summary>The held move, if any, now due; clears the schedule.</summary>
    public MoveCommand? Release(DateTimeOffset now)
    {
        lock (_gate)
        {
            _scheduled = false;
            var held = _held;
            _held = null;
            if (held is not null) _last = now;
            return held;
        }
    }
}

/// <summary>One connection's gate and buckets.</summary>
public sealed class ConnectionThrottle(ThrottleOptions options, DateTimeOffset now)
{
    public MoveGate Moves { get; } = new(options.MovesPerSecond);
    public TokenBucket Commands { get; } = new(options.CommandBurst, options.CommandsPerSecond, now);
    public TokenBucket Signals { get; } = new(options.SignalBurst, options.SignalsPerSecond, now);
}
