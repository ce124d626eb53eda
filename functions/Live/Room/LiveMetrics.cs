using System.Diagnostics.Metrics;

namespace Zawaroom.Live;

/// <summary>
/// The live room's server-side figures (System.Diagnostics.Metrics, meter <c>Zawaroom.Live</c>; the
/// composition root exports it through OpenTelemetry): how long a move waits in the server from its
/// arrival until its batch is handed to the transport, and how many moves a batch carries. Beside a
/// client's move-to-screen latency this tells the server's share apart from the network's and the client's.
/// </summary>
public sealed class LiveMetrics
{
    public const string MeterName = "Zawaroom.Live";
    public const string MoveLatency = "zawaroom.live.move.server_latency";
    public const string BatchSize = "zawaroom.live.move.batch_size";

    /// <summary>
    /// Bucket bounds (ms) fine enough to read a p50 and a p99 from an exported histogram: 10 ms steps
    /// over the tick's range (a move waits up to one tick, 50 ms by default), coarser beyond.
    /// </summary>
    public static readonly double[] LatencyBuckets = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 110, 125, 150, 175, 200, 250, 300, 400, 500, 750, 1000, 2000, 5000];
    public static readonly double[] SizeBuckets = [1, 2, 3, 5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 1000];

    readonly Histogram<double> _latency;
    readonly Histogram<int> _size;
    readonly TimeProvider _clock;

    public LiveMetrics(IMeterFactory meters, TimeProvider clock)
    {
        var meter = meters.Create(MeterName);
        _latency = meter.CreateHistogram<double>(MoveLatency, "ms", "From a move's arrival at the server to its batch being handed to the transport.");
        _size = meter.CreateHistogram<int>(BatchSize, "{move}", "Moves in one batch sent to one watched rectangle.");
        _clock = clock;
    }

    /// <summary>A batch was handed to the transport now: its size, and each move's time in the server.</summary>
    public void BatchSent(IReadOnlyList<PendingMove> moves)
    {
        _size.Record(moves.Count);
        if (!_latency.Enabled) return;
        var now = _clock.GetTimestamp();
        foreach (var m in moves)
            if (m.Arrived != 0) _latency.Record(_clock.GetElapsedTime(m.Arrived, now).TotalMilliseconds);
    }
}
