using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;
using Zawaroom.Logs;
using Zawaroom.Logs.Cosmos;
using Zawaroom.Storage.Cosmos;
using Zawaroom.Tests.Blobs;
using Zawaroom.Tests.Resilience;
using Zawaroom.Tests.Storage;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live.AzureSignalR;

/// <summary>
/// Two real app processes, A and B, on the same Cosmos DB stand-in, the same Azurite and the same
/// SignalR Service stand-in: the live room as it runs scaled out on Azure.
/// <para>
/// What "connected through A" means in serverless mode. The service, not an instance, holds every
/// browser's WebSocket; each connection event and each invocation is one HTTP POST to the upstream URL,
/// which the app platform's front end hands to a live instance. No instance owns a connection, and an
/// instance that dies takes no browser with it: once the front end sees it gone, its share of calls goes
/// to the others. The stand-in models this: a member's calls go to the instance that served their
/// <c>enter</c> while it answers (that is what "A's members" are here), and to a live instance once it
/// refuses connections. A call that reached an instance which then died is not sent again (the service
/// sends each event once), so an instance that crashes holding a <c>disconnected</c> event leaves that
/// member's presence behind with nobody to remove it but the heartbeat timeout.
/// </para>
/// <para>
/// So after A is SIGKILLed: A's members whose tabs closed as A died (their <c>disconnected</c> events
/// were in A's hands) disappear for B's clients within the heartbeat timeout, swept by B, "leave room"
/// logged once each; A's member whose tab stays open keeps their place, their heartbeats and moves now
/// handled by B. A Viewport handled by A governs what B's batcher sends: B reads views from presence
/// (at most a second old), and A catches the connection up on where everyone in its new view stands once
/// that second is over, so a move B sent to the view alice left is not lost. Latencies are printed, not asserted (timed assertions are banned): run with
/// <c>--logger "console;verbosity=detailed"</c> to see them.
/// </para>
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class TwoInstancesTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string Sub = "twoinst";
    const string OperatorKey = "two-instances-operator-key";
    static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(8);
    static readonly TimeSpan Beat = TimeSpan.FromSeconds(1);
    static string Email(string name) => $"{name}@{Sub}.example";

    readonly string _data = Path.Combine(Path.GetTempPath(), "zawaroom-two", Guid.NewGuid().ToString("N"));
    readonly string _database = "two" + Guid.NewGuid().ToString("N")[..8];
    readonly Stopwatch _since = Stopwatch.StartNew();
    readonly CosmosStandIn _cosmos = new();
    readonly AzuriteStandIn _azurite = new();
    readonly List<Tab> _tabs = [];
    CosmosGateway _gateway = null!;
    SignalRServiceStandIn _service = null!;
    AppProcess _a = null!, _b = null!;

    void Log(string line) => output.WriteLine($"[{_since.Elapsed.TotalSeconds,5:0.0} s] {line}");

    public async Task InitializeAsync()
    {
        var service = SignalRServiceStandIn.Start();
        await Task.WhenAll(_cosmos.InitializeAsync(), _azurite.InitializeAsync(), service);
        _service = await service;
        _gateway = await CosmosGateway.Start(_cosmos);
        var settings = new Dictionary<string, string>
        {
            ["Zawaroom:Stores"] = "Azure",
            ["Zawaroom:Cosmos:ConnectionString"] = _gateway.ConnectionString,
            ["Zawaroom:Cosmos:Database"] = _database,
            ["Zawaroom:Blobs:ConnectionString"] = _azurite.ConnectionString,
            ["Zawaroom:SignalR:ConnectionString"] = _service.ConnectionString,
            // Shared by both instances as a deployment shares its secrets: the local-login key, the live keys.
            ["Zawaroom:DataDirectory"] = _data,
            ["Zawaroom:OperatorKey"] = OperatorKey,
            ["Zawaroom:Auth:LocalLogin"] = "true",
            ["Zawaroom:SeedDemo"] = "false",
            ["Zawaroom:Zoom:Timer"] = "false",
            // Seconds, not the product's 30 s, so the test runs in seconds.
            ["Zawaroom:Live:HeartbeatTimeout"] = HeartbeatTimeout.ToString("c"),
            ["Zawaroom:Live:SweepInterval"] = "00:00:00.500",
            ["Logging:LogLevel:Zawaroom.Live"] = "Information",
        };
        var started = Stopwatch.StartNew();
        var (a, b) = (AppProcess.Start(settings), AppProcess.Start(settings));
        (_a, _b) = (await a, await b);
        Log($"A and B up in {started.Elapsed.TotalSeconds:0.0} s");
        _service.UpstreamTemplates.AddRange([Upstream(_a), Upstream(_b)]);
    }

    public async Task DisposeAsync()
    {
        foreach (var tab in _tabs) await tab.Close();
        foreach (var tab in _tabs) Log(tab.ToString());
        foreach (var (name, app) in new[] { ("A", _a), ("B", _b) })
            if (app is not null) Log($"{name}'s output (last lines):\n" + string.Join("\n", app.Output.Split('\n').TakeLast(60)));
        if (_a is not null) await _a.DisposeAsync();
        if (_b is not null) await _b.DisposeAsync();
        if (_service is not null) await _service.DisposeAsync();
        if (_gateway is not null) await _gateway.DisposeAsync();
        await _cosmos.DisposeAsync();
        await _azurite.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    static string Upstream(AppProcess app) =>
        new Uri(app.BaseAddress, "api/realtime/upstream/{hub}/{category}/{event}").ToString().Replace("%7B", "{").Replace("%7D", "}");

    [Fact]
    public async Task Members_on_two_instances_see_each_other_a_viewport_on_one_governs_the_other_and_a_killed_instance_leaves_no_ghosts()
    {
        var roomId = await ArrangeSite();
        var alice = await Enter(_a, "alice");
        var dave = await Enter(_a, "dave");
        var erin = await Enter(_a, "erin");
        var carol = await Enter(_b, "carol");
        // Watching the whole room (4800 x 2750): dave through A, carol through B.
        Assert.Null(await dave.Connection.Invoke("Viewport", new { x = 0, y = 0, width = 4800, height = 2750 }));
        Assert.Null(await carol.Connection.Invoke("Viewport", new { x = 0, y = 0, width = 4800, height = 2750 }));
        Assert.Null(await alice.Connection.Invoke("Viewport", new { x = 0, y = 0, width = 4800, height = 2750 }));

        // ---- enter, move, leave: a member of B, seen by a member of A ----
        var clock = Stopwatch.StartNew();
        var bob = await Enter(_b, "bob");
        await alice.Connection.Next("entered", p => p.Str("email") == Email("bob"));
        Log($"alice (A) saw bob (B) enter {clock.ElapsedMilliseconds} ms after bob started connecting");

        var latencies = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var x = 1000 + 37 * i;
            clock.Restart();
            Assert.Null(await bob.Connection.Invoke("Move", new { x, y = 900 }));
            await alice.Connection.Next("moved", b => b.EnumerateArray().Any(m => m.Str("email") == Email("bob") && m.GetProperty("x").GetDouble() == x));
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            await Task.Delay(150); // a person moving, not a burst the throttle coalesces
        }
        latencies.Sort();
        Log($"bob's move (B) to alice (A), 10 moves: min {latencies[0]:0} ms, median {latencies[5]:0} ms, max {latencies[^1]:0} ms (target: within 500 ms on loopback)");

        clock.Restart();
        Assert.Null(await bob.Connection.Invoke("Leave", new { }));
        await alice.Connection.Next("left", p => p.Str("email") == Email("bob"));
        Log($"alice (A) saw bob (B) leave after {clock.ElapsedMilliseconds} ms");
        await bob.Close();

        // ---- a Viewport handled by A governs what B's batcher sends ----
        // alice (A) now watches only zone (0,0); carol's moves are handled, and batched, by B. B learns alice's
        // view from presence within a second; a move in that second reaches her when A catches her up on her view.
        Assert.Null(await alice.Connection.Invoke("Viewport", new { x = 0, y = 0, width = 100, height = 100 }));
        clock.Restart();
        Assert.Null(await carol.Connection.Invoke("Move", new { x = 200, y = 200 }));
        await alice.Connection.Next("moved", b => b.EnumerateArray().Any(m => m.Str("email") == Email("carol") && m.GetProperty("x").GetDouble() == 200));
        Log($"carol's move (B) into alice's new view (set through A) reached alice after {clock.ElapsedMilliseconds} ms");
        // Out of alice's view: the move out of zone (0,0) may reach her (she sees carol leave it), the ones after must not.
        Assert.Null(await carol.Connection.Invoke("Move", new { x = 4000, y = 2500 }));
        await Task.Delay(300);
        Assert.Null(await carol.Connection.Invoke("Move", new { x = 4100, y = 2400 }));
        await dave.Connection.Next("moved", b => b.EnumerateArray().Any(m => m.Str("email") == Email("carol") && m.GetProperty("x").GetDouble() == 4100));
        await Task.Delay(300);
        Assert.Null(await carol.Connection.Invoke("Move", new { x = 4200, y = 2300 }));
        await dave.Connection.Next("moved", b => b.EnumerateArray().Any(m => m.Str("email") == Email("carol") && m.GetProperty("x").GetDouble() == 4200));
        // alice looks over there (through A); carol takes one step and stands still: alice sees her where she stands.
        Assert.Null(await alice.Connection.Invoke("Viewport", new { x = 3800, y = 2200, width = 600, height = 500 }));
        clock.Restart();
        Assert.Null(await carol.Connection.Invoke("Move", new { x = 4300, y = 2450 }));
        await alice.Connection.Next("moved", b => b.EnumerateArray().Any(m => m.Str("email") == Email("carol") && m.GetProperty("x").GetDouble() == 4300));
        Log($"carol's one step (B) in alice's second view (through A) reached alice after {clock.ElapsedMilliseconds} ms");
        var carolSeenByAlice = alice.Connection.Received.Where(r => r.Method == "moved")
            .SelectMany(r => r.Payload.EnumerateArray()).Where(m => m.Str("email") == Email("carol"))
            .Select(m => m.GetProperty("x").GetDouble()).ToList();
        Assert.DoesNotContain(4100d, carolSeenByAlice);
        Assert.DoesNotContain(4200d, carolSeenByAlice);

        // ---- A is SIGKILLed holding dave's and erin's disconnected events; alice's tab stays open ----
        Assert.Null(await alice.Connection.Invoke("Viewport", new { x = 0, y = 0, width = 4800, height = 2750 }));
        var frozen = Stopwatch.StartNew();
        await _a.Freeze();
        await dave.Close();
        await erin.Close();
        var lost = new[] { dave.Connection.Disconnect(), erin.Connection.Disconnect() };
        await Task.Delay(500); // both events are in A's sockets
        var killed = Stopwatch.StartNew();
        await _a.Kill();
        await Task.WhenAll(lost);
        Assert.Equal(2, _service.Lost.Count(l => l.StartsWith("disconnected", StringComparison.Ordinal)));
        Log($"A killed; lost with it: {string.Join("; ", _service.Lost)}");

        // In whichever order B sweeps them: their last heartbeats were up to a beat apart, so either may expire first.
        var closedTabs = new[] { Email("dave"), Email("erin") };
        var gone = new Dictionary<string, long>();
        while (gone.Count < closedTabs.Length)
        {
            var left = await carol.Connection.Next("left", p => closedTabs.Contains(p.Str("email")) && !gone.ContainsKey(p.Str("email")));
            gone[left.Str("email")] = killed.ElapsedMilliseconds;
        }
        Log($"carol (B) saw A's closed tabs leave after the kill: {string.Join(", ", gone.Select(g => $"{g.Key} {g.Value} ms"))} (heartbeat timeout {HeartbeatTimeout.TotalSeconds:0} s)");

        // alice, connected through A, is still in: her next move goes to B.
        clock.Restart();
        Assert.Null(await alice.Connection.Invoke("Move", new { x = 2222, y = 1111 }));
        await carol.Connection.Next("moved", b => b.EnumerateArray().Any(m => m.Str("email") == Email("alice") && m.GetProperty("x").GetDouble() == 2222));
        Log($"alice's move after the kill, now handled by B, reached carol in {clock.ElapsedMilliseconds} ms");
        // Well past a heartbeat timeout after her last heartbeat that A handled, she has not been swept: her tab's heartbeats reach B.
        var past = HeartbeatTimeout + TimeSpan.FromSeconds(2) - frozen.Elapsed;
        if (past > TimeSpan.Zero) await Task.Delay(past);
        Assert.DoesNotContain(carol.Connection.Received, r => r.Method == "left" && r.Payload.Str("email") == Email("alice"));
        Assert.Null(await alice.Connection.Invoke("SetStatus", new { status = "まだいる", cid = "still-here" }));
        await carol.Connection.Next("event", e => e.Str("type") == EventTypes.Status && e.Str("email") == Email("alice"));

        // The usage log: one "enter room" each, one "leave room" for each who left, none for those still in.
        var log = await UsageLog();
        foreach (var name in new[] { "alice", "bob", "carol", "dave", "erin" })
            Assert.Single(log, e => e.EventType == EventTypes.EnterRoom && e.Email == Email(name) && e.RoomId == roomId);
        foreach (var name in new[] { "bob", "dave", "erin" })
            Assert.Single(log, e => e.EventType == EventTypes.LeaveRoom && e.Email == Email(name));
        foreach (var name in new[] { "alice", "carol" })
            Assert.DoesNotContain(log, e => e.EventType == EventTypes.LeaveRoom && e.Email == Email(name));
    }

    async Task<string> ArrangeSite()
    {
        var op = new HttpRequestMessage(HttpMethod.Post, "/operator/api/sites")
        {
            Content = JsonContent.Create(new { subdomain = Sub, adminEmail = Email("admin"), adminAuthType = "aad", maxUsersCount = 20 }),
        };
        op.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        await Http.Ensure(await _a.Http.SendAsync(op));
        var admin = await Login(_a, "admin");
        foreach (var name in new[] { "alice", "bob", "carol", "dave", "erin" })
            await Http.Ensure(await admin.PostAsJsonAsync(Api("admin/members"), new { email = Email(name), authType = "aad" }));
        var space = (await Http.Ensure<JsonElement>(await admin.PostAsJsonAsync(Api("spaces"), new { name = "本社" }))).Str("id");
        _roomId = (await Http.Ensure<JsonElement>(await admin.PostAsJsonAsync(Api($"spaces/{space}/rooms"), new { name = "開発室" }))).Str("id");
        return _roomId;
    }

    string _roomId = "";
    string _siteId = "";

    static string Api(string path) => $"/s/{Sub}/api/{path}";

    async Task<HttpClient> Login(AppProcess app, string name)
    {
        var client = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        var login = await Http.Ensure<JsonElement>(await client.PostAsJsonAsync(Api("auth/local"), new { email = Email(name) }));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.Str("token"));
        if (_siteId.Length == 0) _siteId = (await Http.Ensure<JsonElement>(await client.GetAsync(Api("me")))).Str("siteId");
        return client;
    }

    /// <summary>A member's tab: logs in and enters through <paramref name="app"/>, connects to the service through it, and heartbeats as the browser does.</summary>
    async Task<Tab> Enter(AppProcess app, string name)
    {
        var http = await Login(app, name);
        var negotiate = (await Http.Ensure<JsonElement>(await http.PostAsync(Api($"rooms/{_roomId}/enter"), null))).GetProperty("negotiate");
        var connection = await _service.Connect(negotiate.Str("url"), negotiate.Str("accessToken"), via: Upstream(app));
        await connection.Next("snapshot");
        var tab = new Tab(connection, Beat);
        _tabs.Add(tab);
        return tab;
    }

    async Task<List<UsageEvent>> UsageLog()
    {
        var options = _cosmos.Options(_database);
        using var client = CosmosDocumentStore.CreateClient(options);
        var log = new CosmosEventLog(CosmosEventLog.ContainerOf(client, options));
        var now = DateTimeOffset.UtcNow;
        return await log.Read(_siteId, now.AddHours(-1), now.AddHours(1), default).ToListAsync();
    }

    /// <summary>A browser tab on the room: its service connection and its Heartbeat every <c>beat</c> until closed.</summary>
    sealed class Tab
    {
        readonly CancellationTokenSource _closed = new();
        readonly Task _beating;

        public StandInConnection Connection { get; }
        public int Beats { get; private set; }
        public long Slowest { get; private set; }
        public System.Collections.Concurrent.ConcurrentQueue<string> Failures { get; } = new();
        public override string ToString() =>
            $"{Connection.UserId}: {Beats} heartbeats, slowest {Slowest} ms, {Failures.Count} failed{(Failures.IsEmpty ? "" : " (" + string.Join("; ", Failures.Take(3)) + ")")}";

        public Tab(StandInConnection connection, TimeSpan beat)
        {
            Connection = connection;
            _beating = Task.Run(async () =>
            {
                while (!_closed.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(beat, _closed.Token);
                        var clock = Stopwatch.StartNew();
                        // A closing tab does not wait for the answer to its last call (one sent to a frozen instance never comes).
                        var call = Connection.Invoke("Heartbeat", new { });
                        _ = call.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                        var error = await call.WaitAsync(_closed.Token);
                        Slowest = Math.Max(Slowest, clock.ElapsedMilliseconds);
                        if (error is null) Beats++;
                        else Failures.Enqueue(error);
                    }
                    catch (OperationCanceledException) { }
                    catch (Exception e) { Failures.Enqueue(e.Message); } // an instance died under the call
                }
            });
        }

        /// <summary>The tab stops (its heartbeats end); what the service then hears is the test's to say.</summary>
        public async Task Close()
        {
            if (!_closed.IsCancellationRequested) await _closed.CancelAsync();
            await _beating;
        }
    }
}
