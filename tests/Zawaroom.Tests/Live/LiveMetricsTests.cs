using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Live;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

/// <summary>
/// The server-side move figures (meter <c>Zawaroom.Live</c>): members move through the real hub, and the
/// histogram of a move's time in the server and the batch size are read both in-process (a MeterListener
/// on this app's meters) and as an operator or the presence benchmark reads them, from the Prometheus
/// scrape endpoint over HTTP (<c>Zawaroom:Telemetry:PrometheusPort</c>).
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class LiveMetricsTests : IClassFixture<LiveMetricsTests.MeteredApp>
{
    public sealed class MeteredApp : IAsyncLifetime
    {
        public int PrometheusPort { get; } = FreePort();
        public TestApp App { get; }
        public MeteredApp() => App = new TestApp().With("Zawaroom:Telemetry:PrometheusPort", PrometheusPort.ToString(CultureInfo.InvariantCulture));
        public Task InitializeAsync() => App.InitializeAsync();
        public Task DisposeAsync() => ((IAsyncLifetime)App).DisposeAsync();

        static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
    }

    readonly MeteredApp _fixture;
    public LiveMetricsTests(MeteredApp fixture) => _fixture = fixture;

    [Fact]
    public async Task Moves_are_counted_in_the_server_latency_and_batch_size_histograms_in_process_and_on_the_scrape_endpoint()
    {
        var app = _fixture.App;
        var site = await app.CreateSite("live-metrics");
        await site.AddMember("alice@live-metrics.example");
        await site.AddMember("bob@live-metrics.example");
        var room = await site.AddRoom(await site.AddSpace());

        // Only this app's meters: other test apps in the same process have their own Zawaroom.Live meter.
        var scope = app.Services.GetRequiredService<IMeterFactory>();
        var latencies = new ConcurrentQueue<double>();
        var sizes = new ConcurrentQueue<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LiveMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => { if (i.Name == LiveMetrics.MoveLatency) latencies.Enqueue(v); });
        listener.SetMeasurementEventCallback<int>((i, v, _, _) => { if (i.Name == LiveMetrics.BatchSize) sizes.Enqueue(v); });
        listener.Start();

        await using var alice = await LiveClient.Enter(site, "alice@live-metrics.example", room);
        await using var bob = await LiveClient.Enter(site, "bob@live-metrics.example", room);
        await bob.Invoke("Move", new { x = 2500, y = 1400 });
        await alice.Next("moved", b => b.Moves("bob@live-metrics.example"));
        await alice.Invoke("Move", new { x = 2300, y = 1300 });
        await bob.Next("moved", b => b.Moves("alice@live-metrics.example"));

        // Each move was handed to the transport in a batch, after it arrived: a latency of at least 0 and
        // below the test's patience, and a batch of at least one move.
        Assert.True(latencies.Count >= 2, $"{latencies.Count} latency measurements for two moves seen by the other member.");
        Assert.All(latencies, ms => Assert.InRange(ms, 0, LiveClient.Patience.TotalMilliseconds));
        Assert.NotEmpty(sizes);
        Assert.All(sizes, n => Assert.InRange(n, 1, 2));

        // The same figures on the scrape endpoint (Prometheus text format), as the benchmark reads them.
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{_fixture.PrometheusPort}/metrics");
        var series = PrometheusText.Parse(text, "zawaroom_live_");
        Assert.True(series.TryGetValue("zawaroom_live_move_server_latency_milliseconds_count", out var latencyCount), text);
        Assert.True(latencyCount >= 2, $"count {latencyCount}");
        Assert.True(series["zawaroom_live_move_server_latency_milliseconds_sum"] >= 0);
        // Buckets are cumulative and end in +Inf = count.
        Assert.Equal(latencyCount, series["zawaroom_live_move_server_latency_milliseconds_bucket{le=\"+Inf\"}"]);
        Assert.True(series["zawaroom_live_move_batch_size_count"] >= 1, text);
        Assert.Equal(series["zawaroom_live_move_batch_size_count"], series["zawaroom_live_move_batch_size_bucket{le=\"+Inf\"}"]);
        // Batches of one or two moves: all within the bucket "up to 2".
        Assert.Equal(series["zawaroom_live_move_batch_size_count"], series["zawaroom_live_move_batch_size_bucket{le=\"2\"}"]);
    }
}

/// <summary>The Prometheus text exposition format, reduced to what the test reads: one value per series line.</summary>
static class PrometheusText
{
    public static Dictionary<string, double> Parse(string text, string prefix)
    {
        var series = new Dictionary<string, double>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            // Only the live room's series: ASP.NET Core's carry route templates, braces and all, in their labels.
            if (!line.StartsWith(prefix, StringComparison.Ordinal)) continue;
            // name{labels} value [timestamp]; labels are compared verbatim except otel_scope_* ones.
            var end = line.IndexOf('}') is var brace and >= 0 ? brace + 1 : line.IndexOf(' ');
            var name = Labels(line[..end]);
            var value = line[end..].Trim().Split(' ')[0];
            series[name] = value switch { "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, _ => double.Parse(value, CultureInfo.InvariantCulture) };
        }
        return series;
    }

    static string Labels(string key)
    {
        var open = key.IndexOf('{');
        if (open < 0) return key;
        var kept = key[(open + 1)..^1].Split(',').Where(l => l.Length > 0 && !l.StartsWith("otel_scope_", StringComparison.Ordinal));
        var labels = string.Join(',', kept);
        return labels.Length == 0 ? key[..open] : $"{key[..open]}{{{labels}}}";
    }
}
