using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Zawaroom.Bench.Presence;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

string Arg(string name, string fallback) => args.Contains(name) ? args[Array.IndexOf(args, name) + 1] : fallback;

if (args.Contains("--baseline-server"))
{
    BareHub.Run(int.Parse(Arg("--baseline-server", "0")));
    return 0;
}
if (args.Contains("--worker"))
{
    await Worker.Run(Arg("--worker", ""), Arg("--protocol", "json"), Arg("--client", "raw"), int.Parse(Arg("--seconds", "30")));
    return 0;
}

var options = new Options(
    Clients: Arg("--clients", "100,300,1000").Split(',').Select(int.Parse).ToList(),
    Seconds: int.Parse(Arg("--seconds", "30")),
    Workers: int.Parse(Arg("--workers", "4")),
    Protocols: Arg("--protocols", "json,msgpack").Split(',').ToList(),
    Client: Arg("--client", "raw"),
    Cases: Arg("--cases", "zawaroom,baseline,crowded").Split(',').ToList(),
    AppDll: Path.GetFullPath(Arg("--app", Path.Combine(Bench.Root(), "functions/bin/Release/net10.0/Zawaroom.Functions.dll"))),
    ServerEnv: args.Select((a, i) => (a, i)).Where(t => t.a == "--server-env").Select(t => args[t.i + 1]).ToList(),
    WorkerEnv: args.Select((a, i) => (a, i)).Where(t => t.a == "--worker-env").Select(t => args[t.i + 1]).ToList());
if (!File.Exists(options.AppDll))
{
    Console.Error.WriteLine($"Build the app in Release first (dotnet build -c Release functions -p:SkipStaticWeb=true): {options.AppDll} is missing.");
    return 1;
}

Console.WriteLine($"presence benchmark {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {options.Seconds} s per case, {Environment.ProcessorCount} cores, " +
    $"{options.Workers} client processes ({(options.Client == "raw" ? "raw WebSocket clients for JSON, " : "")}SignalR .NET clients{(options.Client == "raw" ? " for MessagePack" : "")}), " +
    $"room 4800x2750, viewport 1920x1080, 10 % moving at 5/s; app {options.AppDll}" +
    (options.ServerEnv.Count > 0 ? $"; server env {string.Join(' ', options.ServerEnv)}" : "") +
    (options.WorkerEnv.Count > 0 ? $"; client env {string.Join(' ', options.WorkerEnv)}" : ""));
Console.WriteLine("| case | protocol | client | clients | p50 ms | p99 ms | server p50 ms | server p99 ms | batch p50 | batch p99 | " +
    "msgs/s delivered | KB/s delivered | moves/s delivered | server CPU % | server peak MB | clients CPU % | others CPU % |");
Console.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var n in options.Clients)
    foreach (var name in options.Cases)
    {
        try
        {
            await Bench.RunCase(options, n, name, (protocol, r) =>
                Console.WriteLine($"| {name} | {protocol} | {ClientKind(options.Client, protocol)} | {n} | {r.P50:F1} | {r.P99:F1} | " +
                    $"{Cell(r.ServerP50, "F1")} | {Cell(r.ServerP99, "F1")} | {Cell(r.BatchP50, "F0")} | {Cell(r.BatchP99, "F0")} | " +
                    $"{r.MessagesPerSecond:F0} | {r.KilobytesPerSecond:F0} | {r.MovesPerSecond:F0} | " +
                    $"{r.ServerCpu:F0} | {r.ServerPeakMb:F0} | {r.ClientsCpu:F0} | {r.OthersCpu:F0} |"));
        }
        catch (Exception e)
        {
            Console.WriteLine($"| {name} | | | {n} | failed: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} |");
        }
    }
return 0;

// The bare hub has no server histogram: "–".
static string Cell(double value, string format) => double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);
static string ClientKind(string client, string protocol) => client == "raw" && protocol == "json" ? "raw" : "signalr";

sealed record Options(List<int> Clients, int Seconds, int Workers, List<string> Protocols, string Client, List<string> Cases, string AppDll,
    List<string> ServerEnv, List<string> WorkerEnv);

/// <summary>P50/P99: the clients' move-to-screen latency; Server*: the server's share (arrival to batch handed to the transport); Batch*: moves per batch.</summary>
sealed record CaseResult(double P50, double P99, double ServerP50, double ServerP99, double BatchP50, double BatchP99,
    double MessagesPerSecond, double KilobytesPerSecond, double MovesPerSecond,
    double ServerCpu, double ServerPeakMb, double ClientsCpu, double OthersCpu);

static class Bench
{
    const double Width = Worker.Width, Height = Worker.Height;
    static string BenchDll => typeof(Bench).Assembly.Location;

    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Zawaroom.Functions.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }

    /// <summary>
    /// One case: a fresh server process (the app with embedded stores in a temp data dir, or the
    /// bare hub), the members entered over HTTP, then per protocol the clients in worker processes
    /// (the same members and tokens; the clients of one protocol leave before the next connect).
    /// </summary>
    public static async Task RunCase(Options o, int n, string name, Action<string, CaseResult> report)
    {
        var baseline = name == "baseline";
        var crowded = name == "crowded";
        var port = FreePort();
        var metricsPort = baseline ? 0 : FreePort();
        var data = Path.Combine(Path.GetTempPath(), "zawaroom-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var start = baseline
            ? new ProcessStartInfo("dotnet", [BenchDll, "--baseline-server", port.ToString()])
            : new ProcessStartInfo("dotnet", [o.AppDll]) { WorkingDirectory = Path.GetDirectoryName(o.AppDll) };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Staging"; // not Development (no dev pages), not Production (which refuses the local login)
        start.Environment["Zawaroom__DataDirectory"] = data;
        start.Environment["Zawaroom__OperatorKey"] = "bench";
        start.Environment["Zawaroom__SeedDemo"] = "false";
        start.Environment["Zawaroom__Auth__LocalLogin"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        if (metricsPort > 0) start.Environment["Zawaroom__Telemetry__PrometheusPort"] = metricsPort.ToString();
        foreach (var kv in o.ServerEnv) start.Environment[kv[..kv.IndexOf('=')]] = kv[(kv.IndexOf('=') + 1)..];
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var server = Process.Start(start)!;
        var serverLog = new System.Collections.Concurrent.ConcurrentQueue<string>();
        server.OutputDataReceived += (_, e) => { if (e.Data is { } d && serverLog.Count < 200) serverLog.Enqueue(d); };
        server.ErrorDataReceived += (_, e) => { if (e.Data is { } d && serverLog.Count < 200) serverLog.Enqueue(d); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
        try
        {
            await WaitUp(http, server, serverLog);
            var rnd = new Random(7);
            var positions = Enumerable.Range(0, n).Select(_ => crowded
                ? (X: 1500 + rnd.NextDouble() * 1800, Y: 800 + rnd.NextDouble() * 1000)
                : (X: rnd.NextDouble() * Width, Y: rnd.NextDouble() * Height)).ToArray();
            var setup = Stopwatch.StartNew();
            var endpoints = baseline ? BaselineEndpoints(port, n) : await AppEndpoints(http, n);
            Console.Error.WriteLine($"  [{name} {n}: server up, {n} members entered over HTTP in {setup.Elapsed.TotalSeconds:F0} s]");
            var targets = endpoints.Select((e, i) => new Target(e.Email, e.Url, e.Token, Math.Floor(positions[i].X), Math.Floor(positions[i].Y), i % 10 == 0)).ToList();
            foreach (var protocol in o.Protocols)
                report(protocol, await RunClients(o, name, protocol, n, server, metricsPort, targets, data));
        }
        finally
        {
            try { server.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await server.WaitForExitAsync();
            try { Directory.Delete(data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The clients of one protocol in worker processes, each with every o.Workers-th member; the window; their figures.</summary>
    static async Task<CaseResult> RunClients(Options o, string name, string protocol, int n, Process server, int metricsPort, List<Target> targets, string data)
    {
        using var scraper = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var workers = new List<Process>();
        try
        {
            for (var w = 0; w < o.Workers; w++)
            {
                var file = Path.Combine(data, $"worker{w}.tsv");
                // Contiguous blocks, so the movers (every 10th member) are spread evenly over the workers.
                File.WriteAllLines(file, targets.Where((_, i) => i * o.Workers / n == w).Select(t => t.Line()));
                var ws = new ProcessStartInfo("dotnet", [BenchDll, "--worker", file, "--protocol", protocol, "--client", o.Client, "--seconds", o.Seconds.ToString()])
                { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = false };
                // Clients are browsers stand-ins: the workstation GC, not the server GC the Web SDK picks.
                ws.Environment["DOTNET_gcServer"] = "0";
                foreach (var kv in o.WorkerEnv) ws.Environment[kv[..kv.IndexOf('=')]] = kv[(kv.IndexOf('=') + 1)..];
                workers.Add(Process.Start(ws)!);
            }
            using (var ready = new CancellationTokenSource(TimeSpan.FromMinutes(10)))
                foreach (var w in workers)
                {
                    var line = await w.StandardOutput.ReadLineAsync(ready.Token);
                    if (line != "ready") throw new InvalidOperationException($"A worker did not get ready: {line ?? "(exited)"}");
                }
            Console.Error.WriteLine($"  [{name} {protocol} {n}: clients connected]");
            // Let the enter storm (entered pushes, snapshots) settle before the window opens.
            await Task.Delay(TimeSpan.FromSeconds(3));

            var metrics0 = metricsPort > 0 ? await ServerMetrics.Scrape(scraper, metricsPort) : null;
            var serverCpu0 = Proc.CpuSeconds(server.Id);
            var workersCpu0 = workers.Sum(w => Proc.CpuSeconds(w.Id));
            var machine0 = Proc.Machine();
            var clock = Stopwatch.StartNew();
            foreach (var w in workers) { await w.StandardInput.WriteLineAsync("go"); await w.StandardInput.FlushAsync(); }
            var results = new List<WorkerResult>();
            foreach (var w in workers)
            {
                var line = await w.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("A worker exited without a result.");
                results.Add(JsonSerializer.Deserialize<WorkerResult>(line["result ".Length..])!);
            }
            var elapsed = clock.Elapsed.TotalSeconds;
            var serverCpu = Proc.CpuSeconds(server.Id) - serverCpu0;
            var workersCpu = workers.Sum(w => Proc.CpuSeconds(w.Id)) - workersCpu0;
            var machine1 = Proc.Machine();
            var cores = Environment.ProcessorCount;
            var machineBusySeconds = (machine1.Busy - machine0.Busy) / (machine1.Total - machine0.Total) * elapsed * cores;
            var peak = Proc.PeakRssMb(server.Id);
            var metrics = metrics0 is null ? null : (await ServerMetrics.Scrape(scraper, metricsPort)).Since(metrics0);
            double ServerFigure(string histogram, double p) => metrics?.Percentile(histogram, p) ?? double.NaN;

            var histogram = new Histogram();
            foreach (var r in results) histogram.Merge(r.Histogram);
            var window = results.Max(r => r.Seconds);
            var sendErrors = results.Sum(r => r.SendErrors);
            Console.Error.WriteLine($"  [{name} {protocol} {n}: {results.Sum(r => r.MovesSent) / window:F0} moves/s sent, {window:F1} s window]");
            if (sendErrors > 0) Console.Error.WriteLine($"  ({name}/{protocol}/{n}: {sendErrors} moves could not be sent)");
            var dropped = results.Sum(r => r.Dropped);
            if (dropped > 0) Console.Error.WriteLine($"  ({name}/{protocol}/{n}: the server dropped {dropped} of the {n} clients before the window ended)");
            if (metrics is not null)
                Console.Error.WriteLine($"  [{name} {protocol} {n}: server recorded {metrics.Count(ServerMetrics.Latency) / window:F0} moves/s and " +
                    $"{metrics.Count(ServerMetrics.BatchSize) / window:F0} batches/s handed to the transport]");
            return new CaseResult(histogram.Percentile(0.50), histogram.Percentile(0.99),
                ServerFigure(ServerMetrics.Latency, 0.50), ServerFigure(ServerMetrics.Latency, 0.99),
                ServerFigure(ServerMetrics.BatchSize, 0.50), ServerFigure(ServerMetrics.BatchSize, 0.99),
                results.Sum(r => r.Messages) / window, results.Sum(r => r.Bytes) / 1024.0 / window, results.Sum(r => r.MovesReceived) / window,
                serverCpu / elapsed * 100, peak, workersCpu / elapsed * 100,
                Math.Max(0, machineBusySeconds - serverCpu - workersCpu) / elapsed * 100);
        }
        finally
        {
            foreach (var w in workers)
            {
                try { await w.StandardInput.WriteLineAsync("quit"); w.StandardInput.Close(); } catch (Exception) { }
            }
            foreach (var w in workers)
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try { await w.WaitForExitAsync(wait.Token); } catch (OperationCanceledException) { w.Kill(entireProcessTree: true); }
                w.Dispose();
            }
            // The room empties (disconnects, "left" pushes) before the next protocol's clients enter.
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    public sealed record Endpoint(string Email, string Url, string Token);

    static List<Endpoint> BaselineEndpoints(int port, int n) => Enumerable.Range(0, n)
        .Select(i => { var email = $"m{i}@bench.example"; return new Endpoint(email, $"http://127.0.0.1:{port}/hub?email={Uri.EscapeDataString(email)}", ""); }).ToList();

    /// <summary>A site, a room and n members, each entered (POST /api/rooms/{id}/enter gives the hub's address and token).</summary>
    static async Task<List<Endpoint>> AppEndpoints(HttpClient http, int n)
    {
        var op = new HttpRequestMessage(HttpMethod.Post, "/operator/api/sites")
        { Content = JsonContent.Create(new { subdomain = "bench", adminEmail = "admin@bench.example", adminAuthType = "aad", maxUsersCount = n + 10 }) };
        op.Headers.Authorization = new("Bearer", "bench");
        (await http.SendAsync(op)).EnsureSuccessStatusCode();
        var admin = await Login(http, "admin@bench.example");
        var space = await Post(http, admin, "/s/bench/api/spaces", new { name = "bench" });
        var room = await Post(http, admin, $"/s/bench/api/spaces/{space.GetProperty("id").GetString()}/rooms", new { name = "room" });
        var roomId = room.GetProperty("id").GetString();
        var endpoints = new Endpoint[n];
        var gate = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var email = $"m{i}@bench.example";
                await Post(http, admin, "/s/bench/api/admin/members", new { email, authType = "aad" });
                var token = await Login(http, email);
                var entry = await Post(http, token, $"/s/bench/api/rooms/{roomId}/enter", new { });
                var negotiate = entry.GetProperty("negotiate");
                endpoints[i] = new Endpoint(email, negotiate.GetProperty("url").GetString()!, negotiate.GetProperty("accessToken").GetString()!);
            }
            finally { gate.Release(); }
        }));
        return endpoints.ToList();
    }

    static async Task<string> Login(HttpClient http, string email)
    {
        var r = await http.PostAsJsonAsync("/s/bench/api/auth/local", new { email });
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    static async Task<JsonElement> Post(HttpClient http, string token, string url, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", token);
        var r = await http.SendAsync(request);
        if (!r.IsSuccessStatusCode) throw new HttpRequestException($"{url}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    static async Task WaitUp(HttpClient http, Process server, System.Collections.Concurrent.ConcurrentQueue<string> log)
    {
        // Patient: on a loaded machine the app may take minutes to start.
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(5))
        {
            if (server.HasExited) throw new InvalidOperationException("The server exited: " + string.Join(" / ", log));
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("The server did not start: " + string.Join(" / ", log));
    }

    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
