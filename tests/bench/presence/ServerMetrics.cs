using System.Globalization;

namespace Zawaroom.Bench.Presence;

/// <summary>
/// The server's own figures for the window, read from its Prometheus scrape endpoint
/// (<c>Zawaroom:Telemetry:PrometheusPort</c>): the histograms of meter <c>Zawaroom.Live</c> are
/// cumulative since the server started, so the bench scrapes before and after the window and takes
/// the difference. A percentile is read from the bucket counts as Prometheus' histogram_quantile
/// does (linear within the bucket), so it is as fine as the buckets (LiveMetrics.LatencyBuckets).
/// </summary>
public sealed class ServerMetrics(IReadOnlyDictionary<string, SortedDictionary<double, double>> buckets)
{
    public const string Latency = "zawaroom_live_move_server_latency_milliseconds";
    public const string BatchSize = "zawaroom_live_move_batch_size";

    public static async Task<ServerMetrics> Scrape(HttpClient http, int port)
    {
        var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        var buckets = new Dictionary<string, SortedDictionary<double, double>>();
        foreach (var raw in text.Split('\n'))
        {
            // name_bucket{otel_scope_name="Zawaroom.Live",…,le="7.5"} 123 [timestamp]
            var line = raw.Trim();
            // Only the live room's series (others, such as ASP.NET Core's, carry braces in their label values).
            if (!line.StartsWith("zawaroom_live_", StringComparison.Ordinal)) continue;
            var brace = line.IndexOf('{');
            if (brace < 0 || !line.AsSpan(0, brace).EndsWith("_bucket")) continue;
            var name = line[..(brace - "_bucket".Length)];
            var le = line.IndexOf("le=\"", brace, StringComparison.Ordinal);
            if (le < 0) continue;
            var bound = line[(le + 4)..line.IndexOf('"', le + 4)];
            var value = line[(line.IndexOf('}') + 1)..].Trim().Split(' ')[0];
            if (!buckets.TryGetValue(name, out var series)) buckets[name] = series = [];
            var upper = bound == "+Inf" ? double.PositiveInfinity : double.Parse(bound, CultureInfo.InvariantCulture);
            series[upper] = series.GetValueOrDefault(upper) + double.Parse(value, CultureInfo.InvariantCulture);
        }
        return new ServerMetrics(buckets);
    }

    /// <summary>What was recorded between <paramref name="before"/> and this scrape.</summary>
    public ServerMetrics Since(ServerMetrics before) => new(buckets.ToDictionary(kv => kv.Key, kv =>
        new SortedDictionary<double, double>(kv.Value.ToDictionary(b => b.Key,
            b => b.Value - (before.Buckets.TryGetValue(kv.Key, out var old) ? old.GetValueOrDefault(b.Key) : 0)))));

    IReadOnlyDictionary<string, SortedDictionary<double, double>> Buckets => buckets;

    public double Count(string name) => buckets.TryGetValue(name, out var s) && s.Count > 0 ? s.Values.Last() : 0;

    /// <summary>The p-quantile (0..1) from cumulative bucket counts; NaN when nothing was recorded.</summary>
    public double Percentile(string name, double p)
    {
        if (!buckets.TryGetValue(name, out var series) || series.Count == 0) return double.NaN;
        var total = series.Values.Last();
        if (total <= 0) return double.NaN;
        var rank = p * total;
        double lower = 0, below = 0;
        foreach (var (upper, cumulative) in series)
        {
            if (cumulative >= rank)
            {
                // The top bucket has no upper bound: answer its lower one, as histogram_quantile does.
                if (double.IsPositiveInfinity(upper)) return lower;
                var inBucket = cumulative - below;
                return inBucket <= 0 ? upper : lower + (upper - lower) * (rank - below) / inBucket;
            }
            lower = upper;
            below = cumulative;
        }
        return lower;
    }
}
