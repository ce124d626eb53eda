using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Zawaroom.Bench.Presence;

if (args.Contains("--baseline-server"))
{
    BareHub.Run(int.Parse(args[Array.IndexOf(args, "--baseline-server") + 1]));
    return;
}

string Arg(string name, string fallback) => args.Contains(name) ? args[Array.IndexOf(args, name) + 1] : fallback;
var counts = Arg("--clients", "100,300,1000").Split(',').Select(int.Parse).ToList();
var seconds = int.Parse(Arg("--seconds", "30"));
var root = FindRoot();
var appDll = Path.GetFullPath(Arg("--app", Path.Combine(root, "functions/bin/Debug/net10.0/Zawaroom.Functions.dll")));
if (!File.Exists(appDll)) { Console.Error.WriteLine($"Build the app first: {appDll} is missing."); return; }

Console.WriteLine($"presence benchmark: {seconds} s per case, {Environment.ProcessorCount} cores, room 4800x2750, viewport 1920x1080, 10 % moving at 5/s");
Console.WriteLine("| case | clients | p50 ms | p99 ms | msgs/s delivered | KB/s delivered | server CPU % | server peak MB |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (var n in counts)
{
    foreach (var (name, crowded, baseline) in new[] { ("zawaroom", false, false), ("baseline (bare hub)", false, true), ("zawaroom crowded", true, false) })
    {
        var result = await Case.Run(appDll, n, seconds, crowded, baseline);
        Console.WriteLine($"| {name} | {n} | {result.P50:F1} | {result.P99:F1} | {result.MessagesPerSecond:F0} | {result.KilobytesPerSecond:F0} | {result.CpuPercent:F0} | {result.PeakMb:F0} |");
    }
}

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Zawaroom.Functions.sln"))) dir = dir.Parent;
    return dir?.FullName ?? Directory.GetCurrentDirectory();
}

sealed record Result(double P50, double P99, double MessagesPerSecond, double KilobytesPerSecond, double CpuPercent, double PeakMb);

static class Case
{
    const double Width = 4800, Height = 2750;

    public static async Task<Result> Run(string appDll, int n, int seconds, bool crowded, bool baseline)
    {
        var port = FreePort();
        var data = Path.Combine(Path.GetTempPath(), "zawaroom-bench", Guid.NewGuid().ToString("N"));
        var start = baseline
            ? new ProcessStartInfo("dotnet", [typeof(Case).Assembly.Location, "--baseline-server", port.ToString()])
            : new ProcessStartInfo("dotnet", [appDll]);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Zawaroom__DataDirectory"] = data;
        start.Environment["Zawaroom__OperatorKey"] = "bench";
        start.Environment["Zawaroom__SeedDemo"] = "false";
        start.Environment["Zawaroom__Auth__LocalLogin"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
        try
        {
            await WaitUp(http, baseline);
            var rnd = new Random(7);
            var positions = Enumerable.Range(0, n).Select(_ => crowded
                ? (X: 1500 + rnd.NextDouble() * 1800, Y: 800 + rnd.NextDouble() * 1000)
                : (X: rnd.NextDouble() * Width, Y: rnd.NextDouble() * Height)).ToArray();
            var targets = baseline ? BaselineTargets(port, n) : await ZawaroomTargets(http, n);

            var sent = new ConcurrentDictionary<(string, double), long>();
            var latencies = new ConcurrentBag<double>();
            long messages = 0, bytes = 0;
            var measuring = false;
            var clients = new HubConnection[n];
            var gate = new SemaphoreSlim(20);
            await Task.WhenAll(targets.Select(async (t, i) =>
            {
                await gate.WaitAsync();
                try
                {
                    var c = new HubConnectionBuilder().WithUrl(t.Url, o => { o.AccessTokenProvider = () => Task.FromResult<string?>(t.Token); o.SkipNegotiation = true; o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets; }).Build();
                    c.On<JsonElement>("moved", batch =>
                    {
                        if (!Volatile.Read(ref measuring)) return;
                        var now = Stopwatch.GetTimestamp();
                        Interlocked.Increment(ref messages);
                        Interlocked.Add(ref bytes, batch.GetRawText().Length);
                        foreach (var m in batch.EnumerateArray())
                            if (sent.TryGetValue((m.GetProperty("email").GetString()!, m.GetProperty("x").GetDouble()), out var at))
                                latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                    });
                    foreach (var other in new[] { "entered", "left", "snapshot", "event" }) c.On<JsonElement>(other, _ => { });
                    await c.StartAsync();
                    var (x, y) = positions[i];
                    await c.InvokeAsync("Move", new { x, y });
                    await c.InvokeAsync("Viewport", new { x = x - 960, y = y - 540, width = 1920, height = 1080 });
                    clients[i] = c;
                }
                finally { gate.Release(); }
            }));

            var cpuBefore = server.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            Volatile.Write(ref measuring, true);
            var movers = Enumerable.Range(0, n).Where(i => i % 10 == 0).ToList();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            await Task.WhenAll(movers.Select(async i =>
            {
                var email = targets[i].Email;
                var (x, y) = positions[i];
                var step = 0;
                var jitter = new Random(i);
                await Task.Delay(jitter.Next(200));
                while (!stop.IsCancellationRequested)
                {
                    step++;
                    // Walk back and forth; the fraction makes each position unique to look its send time up.
                    x = Math.Clamp(x + (step % 40 < 20 ? 10 : -10), 0, Width - 1) + step * 1e-6 % 1e-3;
                    sent[(email, x)] = Stopwatch.GetTimestamp();
                    try { await clients[i].InvokeAsync("Move", new { x, y }); } catch { }
                    try { await Task.Delay(200, stop.Token); } catch (OperationCanceledException) { }
                }
            }));
            await Task.Delay(300);
            Volatile.Write(ref measuring, false);
            var elapsed = clock.Elapsed.TotalSeconds;
            server.Refresh();
            var cpu = (server.TotalProcessorTime - cpuBefore).TotalSeconds / elapsed * 100;
            var peak = server.PeakWorkingSet64 / 1024.0 / 1024.0;
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
            var sorted = latencies.OrderBy(l => l).ToArray();
            double Pct(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
            return new Result(Pct(0.50), Pct(0.99), messages / elapsed, bytes / 1024.0 / elapsed, cpu, peak);
        }
        finally
        {
            try { server.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            server.WaitForExit();
            try { Directory.Delete(data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    sealed record Target(string Email, string Url, string? Token);

    static List<Target> BaselineTargets(int port, int n) => Enumerable.Range(0, n)
        .Select(i => { var email = $"m{i}@bench.example"; return new Target(email, $"http://127.0.0.1:{port}/hub?email={Uri.EscapeDataString(email)}", null); }).ToList();

    static async Task<List<Target>> ZawaroomTargets(HttpClient http, int n)
    {
        var op = new HttpRequestMessage(HttpMethod.Post, "/operator/api/sites")
        { Content = JsonContent.Create(new { subdomain = "bench", adminEmail = "admin@bench.example", adminAuthType = "aad", maxUsersCount = n + 10 }) };
        op.Headers.Authorization = new("Bearer", "bench");
        (await http.SendAsync(op)).EnsureSuccessStatusCode();
        var admin = await Login(http, "admin@bench.example");
        var space = await Post(http, admin, "/s/bench/api/spaces", new { name = "bench" });
        var room = await Post(http, admin, $"/s/bench/api/spaces/{space.GetProperty("id").GetString()}/rooms", new { name = "room" });
        var roomId = room.GetProperty("id").GetString();
        var targets = new Target[n];
        var gate = new SemaphoreSlim(8);
        for (var i = 0; i < n; i++) await Post(http, admin, "/s/bench/api/admin/members", new { email = $"m{i}@bench.example", authType = "aad" });
        await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var email = $"m{i}@bench.example";
                var token = await Login(http, email);
                var entry = await Post(http, token, $"/s/bench/api/rooms/{roomId}/enter", new { });
                var negotiate = entry.GetProperty("negotiate");
                targets[i] = new Target(email, negotiate.GetProperty("url").GetString()!, negotiate.GetProperty("accessToken").GetString());
            }
            finally { gate.Release(); }
        }));
        return targets.ToList();
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

    static async Task WaitUp(HttpClient http, bool baseline)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                var r = await http.GetAsync(baseline ? "/hub/negotiate" : "/healthz");
                if (baseline || r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("The server did not start.");
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
