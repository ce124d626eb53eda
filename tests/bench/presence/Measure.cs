using System.Diagnostics;
using System.Net.WebSockets;

namespace Zawaroom.Bench.Presence;

/// <summary>
/// Move-to-screen latency across processes. Every process on this machine reads the same clock:
/// <see cref="Stopwatch.GetTimestamp"/> is CLOCK_MONOTONIC on Linux (nanoseconds since boot, one
/// counter for the whole machine), so a sender's timestamp means the same in a receiver's process.
/// The sender puts its send time into the move itself, in the fractional part of x
/// (x = whole pixels + ticks / 2^32, ticks in 10 µs units modulo 2^32, about 11.9 h): the server
/// passes x through unchanged (JSON and MessagePack keep a double exactly; the room clamps only
/// outside its size), so the receiver subtracts without any lookup or shared table.
/// </summary>
public static class SendClock
{
    const double Scale = 4294967296.0; // 2^32
    const long TicksPerUnit = 10_000; // ns per 10 µs

    static long Now => Stopwatch.GetTimestamp() * (1_000_000_000 / Stopwatch.Frequency) / TicksPerUnit;

    public static double Stamp(double wholeX)
    {
        var units = (uint)(Now & 0xFFFFFFFF);
        if (units == 0) units = 1; // 0 means "not stamped"
        return Math.Floor(wholeX) + units / Scale;
    }

    /// <summary>Milliseconds since the move was stamped, or null for a position without a stamp.</summary>
    public static double? AgeMs(double x)
    {
        var units = (uint)Math.Round((x - Math.Floor(x)) * Scale);
        if (units == 0) return null;
        var now = (uint)(Now & 0xFFFFFFFF);
        return unchecked(now - units) / 100.0;
    }
}

/// <summary>Latency histogram: 20 µs buckets up to 20 s, so percentiles of millions of samples are cheap to merge.</summary>
public sealed class Histogram
{
    public const double BucketMs = 0.02;
    public const int Buckets = 1_000_000;
    public readonly long[] Counts = new long[Buckets];

    public void Add(double ms) => Interlocked.Increment(ref Counts[Math.Clamp((int)(ms / BucketMs), 0, Buckets - 1)]);

    public long Total => Counts.Sum();

    public double Percentile(double p)
    {
        var total = Total;
        if (total == 0) return double.NaN;
        var rank = (long)Math.Ceiling(p * total);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += Counts[i];
            if (seen >= rank) return (i + 0.5) * BucketMs;
        }
        return double.NaN;
    }

    public string Encode() => string.Join(',', Counts.Select((c, i) => (c, i)).Where(t => t.c > 0).Select(t => $"{t.i}:{t.c}"));

    public void Merge(string encoded)
    {
        if (string.IsNullOrEmpty(encoded)) return;
        foreach (var pair in encoded.Split(','))
        {
            var at = pair.IndexOf(':');
            Counts[int.Parse(pair[..at])] += long.Parse(pair[(at + 1)..]);
        }
    }
}

/// <summary>A client WebSocket that counts the payload bytes it receives (what "bytes delivered" reports).</summary>
public sealed class CountingWebSocket(WebSocket inner, Action<int> received) : WebSocket
{
    public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;
    public override string? CloseStatusDescription => inner.CloseStatusDescription;
    public override WebSocketState State => inner.State;
    public override string? SubProtocol => inner.SubProtocol;
    public override void Abort() => inner.Abort();
    public override Task CloseAsync(WebSocketCloseStatus s, string? d, CancellationToken ct) => inner.CloseAsync(s, d, ct);
    public override Task CloseOutputAsync(WebSocketCloseStatus s, string? d, CancellationToken ct) => inner.CloseOutputAsync(s, d, ct);
    public override void Dispose() => inner.Dispose();
    public override Task SendAsync(ArraySegment<byte> b, WebSocketMessageType t, bool end, CancellationToken ct) => inner.SendAsync(b, t, end, ct);
    public override ValueTask SendAsync(ReadOnlyMemory<byte> b, WebSocketMessageType t, bool end, CancellationToken ct) => inner.SendAsync(b, t, end, ct);

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken ct)
    {
        var r = await inner.ReceiveAsync(buffer, ct);
        received(r.Count);
        return r;
    }

    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
    {
        var r = await inner.ReceiveAsync(buffer, ct);
        received(r.Count);
        return r;
    }
}

/// <summary>CPU time and memory of a process, read from /proc (Linux).</summary>
public static class Proc
{
    static readonly double TicksPerSecond = 100; // USER_HZ; fixed at 100 on Linux

    /// <summary>utime + stime of the process, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // after "pid (comm) ": state=0 ... utime=11 stime=12
            return (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond;
        }
        catch (IOException) { return 0; }
    }

    /// <summary>Peak resident set (VmHWM) in MB.</summary>
    public static double PeakRssMb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:"));
            return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (IOException) { return double.NaN; }
    }

    /// <summary>Busy and total jiffies of the whole machine (all cores), from /proc/stat.</summary>
    public static (double Busy, double Total) Machine()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var idle = cpu[3] + cpu[4];
        var total = cpu.Take(8).Sum();
        return (total - idle, total);
    }
}
