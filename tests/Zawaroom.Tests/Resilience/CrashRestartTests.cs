using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using Zawaroom.Common;
using Zawaroom.Logs;
using Zawaroom.Logs.Export;
using Zawaroom.Logs.Sqlite;
using Zawaroom.RoomSettings;
using Zawaroom.Tests.RoomSettings;
using Zawaroom.Tests.ZoomSync;

namespace Zawaroom.Tests.Resilience;

/// <summary>
/// The real app process is SIGKILLed in the middle of a background upload, a .zawa import, a usage-log
/// export, a Zoom sync round and a burst of concurrent member adds, several times at varied moments, and
/// started again on the same data folder. Afterwards the stores must be whole: every document parses, every
/// blob a document names exists and every blob (and nothing else) in the blob folder is named by one, every
/// export finishes, Zoom holds exactly one meeting per entry, and the members are within the limit with every
/// acknowledged add present.
/// </summary>
public sealed class CrashRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string Sub = "crashy";
    const string AdminEmail = "admin@crashy.example";
    const int MaxUsers = 50;
    const int Rounds = 4;
    const int Events = 40_000;
    const int EntriesPerHost = 2;
    const int AddsPerRound = 15;
    static readonly string[] Hosts = ["h1@crashy.example", "h2@crashy.example", "h3@crashy.example"];
    static readonly DateTimeOffset EventsFrom = DateTimeOffset.Parse("2026-06-01T00:00:00Z");
    static readonly DateTimeOffset EventsTo = DateTimeOffset.Parse("2026-07-01T00:00:00Z");

    readonly string _data = Path.Combine(Path.GetTempPath(), "zawaroom-crash", Guid.NewGuid().ToString("N"));
    readonly System.Diagnostics.Stopwatch _since = System.Diagnostics.Stopwatch.StartNew();
    ZoomStandIn _zoom = null!;

    void Log(string line) => output.WriteLine($"[{_since.Elapsed.TotalSeconds,5:0.0} s] {line}");
    AppProcess? _app;

    public async Task InitializeAsync() => _zoom = await ZoomStandIn.Start();

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        await _zoom.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    Dictionary<string, string> Settings() => new()
    {
        ["Zawaroom:DataDirectory"] = _data,
        ["Zawaroom:OperatorKey"] = "crash-operator-key",
        ["Zawaroom:Auth:LocalLogin"] = "true",
        ["Zawaroom:SeedDemo"] = "false",
        ["Zawaroom:Zoom:OAuthUrl"] = _zoom.OAuthUrl,
        ["Zawaroom:Zoom:ApiBaseUrl"] = _zoom.ApiBaseUrl,
        ["Zawaroom:Zoom:Timer"] = "false",
        ["Zawaroom:Zoom:RetryDelay"] = "00:00:00.050",
        // A killed run's lease lapses after this; the product default (2 minutes) would only make the test wait.
        ["Zawaroom:Zoom:LeaseTime"] = "00:00:05",
        // Media writes left unfinished by the killed process are cleaned up at the next start, with no grace.
        ["Zawaroom:RoomSettings:UnfinishedWriteGrace"] = "00:00:00",
    };

    async Task<AppProcess> Start()
    {
        var started = DateTime.UtcNow;
        _app = await AppProcess.Start(Settings());
        Log($"  app up in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
        return _app;
    }

    async Task Kill()
    {
        if (_app is null) return;
        await _app.DisposeAsync();
        _app = null;
    }

    [Fact]
    public async Task A_killed_app_restarts_with_whole_documents_and_blobs_finished_exports_one_meeting_per_entry_and_every_acknowledged_member()
    {
        var app = await Start();
        var admin = await Login(app, AdminEmail, operatorCreatesSite: true);
        var siteId = (await Support.Http.Ensure<JsonElement>(await admin.GetAsync(Api("me")))).GetProperty("siteId").GetString()!;
        var (roomA, roomB, zawa) = await ArrangeRooms(admin);
        var entries = await ArrangeZoom(app, admin);
        await Kill();
        SeedEvents(siteId);
        Log("arranged");

        var acknowledged = new ConcurrentBag<string>();
        var exports = new ConcurrentBag<string>();
        var seed = Environment.TickCount;
        var random = new Random(seed);
        Log($"kill points from seed {seed}");
        for (var round = 1; round <= Rounds; round++)
        {
            app = await Start();
            admin = await Login(app, AdminEmail);
            // New entries each round, so that every sync round has meetings to create when it is killed.
            entries.AddRange(await AddEntries(app, round));
            var roundClock = System.Diagnostics.Stopwatch.StartNew();
            var image = RealPng.Noise(900, 800, seed: round);
            // Odd rounds: killed at a random moment. Even rounds: killed the instant the upload's new blob lands
            // (a few milliseconds later at most), between the blob and the settings that name it.
            using var landed = round % 2 == 0 ? BlobLands(Path.Combine(_data, "blobs", siteId, "rooms", roomA, "background")) : null;
            var operations = new List<Task<string>>
            {
                Op("upload", () => admin.PutAsync(Api($"rooms/{roomA}/background"), Body(image, "image/png"))),
                Op("import", () => admin.PostAsync(Api($"rooms/{roomB}/import"), Body(zawa, "application/json"))),
                Op("export", async () =>
                {
                    var response = await admin.PostAsJsonAsync(Api("admin/logs/exports"), new { from = EventsFrom.ToString("O"), to = EventsTo.ToString("O") });
                    if (response.StatusCode == HttpStatusCode.Accepted)
                        exports.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
                    return response;
                }),
                Op("sync", () => admin.PostAsync(Api("admin/zoom/sync"), null)),
            };
            for (var i = 0; i < AddsPerRound; i++)
            {
                var email = $"m{round}-{i}@crashy.example";
                operations.Add(Op("member", async () =>
                {
                    var response = await admin.PostAsJsonAsync(Api("admin/members"), new { email, authType = "aad" });
                    if (response.StatusCode == HttpStatusCode.Created) acknowledged.Add(email);
                    return response;
                }));
            }
            string when;
            if (landed is null)
            {
                var after = random.Next(20, 2000);
                await Task.Delay(after);
                when = $"after {after} ms";
            }
            else
            {
                var extra = random.Next(0, 4);
                when = await Task.WhenAny(landed.Task, Task.Delay(TimeSpan.FromSeconds(20))) == landed.Task ? $"when the blob landed (+{extra} ms)" : "after 20 s (no blob landed)";
                if (extra > 0) Thread.Sleep(extra);
            }
            await Kill();
            var outcomes = await Task.WhenAll(operations);
            Log($"round {round}: killed {when} ({roundClock.Elapsed.TotalSeconds:0.0} s): " + string.Join(", ", outcomes.GroupBy(o => o).Select(g => g.Count() > 1 ? $"{g.Key} x{g.Count()}" : g.Key)));
        }

        app = await Start();
        admin = await Login(app, AdminEmail);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await ExportsFinish(admin, exports.ToList());
        Log($"  ({clock.Elapsed.TotalSeconds:0.0} s)");
        await SyncEndsWithOneMeetingPerEntry(admin, entries);
        Log($"  ({clock.Elapsed.TotalSeconds:0.0} s)");
        await MembersAreWithinTheLimitAndAcknowledgedOnesExist(admin, acknowledged.ToHashSet());
        Log($"  ({clock.Elapsed.TotalSeconds:0.0} s)");
        await RoomMediaServes(admin, roomA, roomB);
        await Kill();

        DocumentsAreWholeAndBlobsMatchThem(siteId);
    }

    static async Task<string> Op(string name, Func<Task<HttpResponseMessage>> call)
    {
        try
        {
            using var response = await call();
            return $"{name} {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return $"{name} cut";
        }
    }

    static string Api(string path) => $"/s/{Sub}/api/{path}";

    static ByteArrayContent Body(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    async Task<HttpClient> Login(AppProcess app, string email, bool operatorCreatesSite = false)
    {
        if (operatorCreatesSite)
        {
            var op = new HttpRequestMessage(HttpMethod.Post, "/operator/api/sites")
            {
                Content = JsonContent.Create(new { subdomain = Sub, adminEmail = email, adminAuthType = "aad", maxUsersCount = MaxUsers }),
            };
            op.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "crash-operator-key");
            await Support.Http.Ensure(await app.Http.SendAsync(op));
        }
        var client = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        var login = await Support.Http.Ensure<JsonElement>(await client.PostAsJsonAsync(Api("auth/local"), new { email }));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        return client;
    }

    /// <summary>Room A takes background uploads; room C's layout (background and BGM) becomes the .zawa file imported into room B.</summary>
    async Task<(string A, string B, byte[] Zawa)> ArrangeRooms(HttpClient admin)
    {
        var space = (await Support.Http.Ensure<JsonElement>(await admin.PostAsJsonAsync(Api("spaces"), new { name = "本社" }))).GetProperty("id").GetString();
        async Task<string> Room(string name) =>
            (await Support.Http.Ensure<JsonElement>(await admin.PostAsJsonAsync(Api($"spaces/{space}/rooms"), new { name }))).GetProperty("id").GetString()!;
        var a = await Room("A");
        var b = await Room("B");
        var c = await Room("C");
        await Support.Http.Ensure(await admin.PutAsync(Api($"rooms/{c}/background"), Body(RealPng.Noise(700, 500, seed: 99), "image/png")));
        await Support.Http.Ensure(await admin.PutAsync(Api($"rooms/{c}/meeting-rooms/guest-area/bgm"), Body(TestMedia.Mp3(frames: 200), "audio/mpeg")));
        var zawa = await (await admin.GetAsync(Api($"rooms/{c}/export"))).Content.ReadAsByteArrayAsync();
        Assert.True(zawa.Length > 1_000_000, "the .zawa file carries the media");
        return (a, b, zawa);
    }

    /// <summary>Zoom sync on, three members with verified Zoom users, each with entries in the sync window.</summary>
    async Task<List<string>> ArrangeZoom(AppProcess app, HttpClient admin)
    {
        await Support.Http.Ensure(await admin.PutAsJsonAsync(Api("admin/zoom"), new
        {
            enabled = true, accountId = ZoomStandIn.AccountId, clientId = ZoomStandIn.ClientId, clientSecret = ZoomStandIn.ClientSecret,
            webhookSecretToken = "whsec", timeZone = "Asia/Tokyo", inviteAttendees = false,
        }));
        var entries = new List<string>();
        foreach (var host in Hosts)
        {
            await Support.Http.Ensure(await admin.PostAsJsonAsync(Api("admin/members"), new { email = host, authType = "aad" }));
            var zoomEmail = "zoom." + host;
            _zoom.AddUser(zoomEmail);
            await Support.Http.Ensure(await admin.PutAsJsonAsync(Api("admin/zoom/members"),
                new { items = new[] { new { email = host, zoomEnabled = true, zoomEmail } } }));
        }
        entries.AddRange(await AddEntries(app, 0));
        return entries;
    }

    /// <summary>Each host's entries of one round, on days of their own inside the sync window.</summary>
    async Task<List<string>> AddEntries(AppProcess app, int round)
    {
        var entries = new List<string>();
        var day = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).Date.AddDays(1 + round);
        foreach (var host in Hosts)
        {
            var member = await Login(app, host);
            for (var i = 0; i < EntriesPerHost; i++)
            {
                var start = new DateTimeOffset(day.AddHours(9 + 2 * i + Array.IndexOf(Hosts, host) * 5), TimeSpan.FromHours(9));
                var entry = await Support.Http.Ensure<JsonElement>(await member.PostAsJsonAsync(Api("schedules"), new
                {
                    title = $"会議 {round}-{i}", start = start.ToString("yyyy-MM-dd'T'HH:mm:sszzz"), end = start.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:sszzz"),
                    allDay = false, location = "Zoom 会議", description = "議題", attendees = Array.Empty<string>(),
                }));
                entries.Add(entry.GetProperty("id").GetString()!);
            }
        }
        return entries;
    }

    /// <summary>Completes when a new finished blob (not a ".meta", not a temporary file) appears in <paramref name="folder"/>.</summary>
    static LandedBlob BlobLands(string folder)
    {
        Directory.CreateDirectory(folder);
        var landed = new LandedBlob(new FileSystemWatcher(folder) { NotifyFilter = NotifyFilters.FileName, IncludeSubdirectories = false });
        void Seen(string? name)
        {
            if (name is not null && !name.EndsWith(".meta", StringComparison.Ordinal) && !name.EndsWith(".tmp", StringComparison.Ordinal))
                landed.Source.TrySetResult();
        }
        landed.Watcher.Created += (_, e) => Seen(e.Name);
        landed.Watcher.Renamed += (_, e) => Seen(e.Name);
        landed.Watcher.EnableRaisingEvents = true;
        return landed;
    }

    sealed class LandedBlob(FileSystemWatcher watcher) : IDisposable
    {
        public FileSystemWatcher Watcher { get; } = watcher;
        public TaskCompletionSource Source { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Task => Source.Task;
        public void Dispose() => Watcher.Dispose();
    }

    /// <summary>A month of usage events, written into the app's event log file while it is down, so an export runs for a while.</summary>
    void SeedEvents(string siteId)
    {
        var path = Path.Combine(_data, "events.db");
        _ = new SqliteEventLog(path); // the app's own schema
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO usage_events (site, id, at, value) VALUES ($site, $id, $at, $value)";
        var site = command.Parameters.Add("$site", SqliteType.Text);
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var at = command.Parameters.Add("$at", SqliteType.Integer);
        var value = command.Parameters.Add("$value", SqliteType.Text);
        var step = (EventsTo - EventsFrom) / Events;
        for (var i = 0; i < Events; i++)
        {
            var e = new UsageEvent
            {
                Id = "seed-" + i, SiteId = siteId, EventDateTime = EventsFrom + step * i, EventType = EventTypes.UserMessage,
                Email = Hosts[0], Name = "h1", Space = "本社", Room = "A", Details = new Dictionary<string, string> { ["text"] = "こんにちは " + i },
            };
            site.Value = siteId;
            id.Value = e.Id;
            at.Value = e.EventDateTime.UtcTicks;
            value.Value = JsonSerializer.Serialize(e, Json.Options);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <summary>Every export the app acknowledged (202) ends done after the restart, with every event of the period in its CSV.</summary>
    async Task ExportsFinish(HttpClient admin, List<string> ids)
    {
        Assert.NotEmpty(ids);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        foreach (var id in ids)
        {
            JsonElement status;
            while (true)
            {
                status = await Support.Http.Ensure<JsonElement>(await admin.GetAsync(Api($"logs/exports/{id}")));
                var state = status.GetProperty("state").GetString();
                if (state is "done" or "failed") break;
                Assert.True(DateTime.UtcNow < deadline, $"export {id} is still {state} after the restart");
                await Task.Delay(250);
            }
            Assert.Equal("done", status.GetProperty("state").GetString());
            Assert.Equal(Events, status.GetProperty("rows").GetInt64());
            var csv = await (await admin.GetAsync(Api($"logs/exports/{id}/download"))).Content.ReadAsStringAsync();
            var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Events + 1, lines.Length);
            Assert.Contains("こんにちは " + (Events - 1), lines[^1]);
        }
        Log($"{ids.Count} exports done");
    }

    /// <summary>Sync runs again once the killed run's lease lapses; Zoom then holds exactly one meeting per entry, and one more run changes nothing.</summary>
    async Task SyncEndsWithOneMeetingPerEntry(HttpClient admin, List<string> entries)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        JsonElement result;
        while (true)
        {
            var response = await admin.PostAsync(Api("admin/zoom/sync"), null);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                result = await response.Content.ReadFromJsonAsync<JsonElement>();
                break;
            }
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode); // busy: the killed run's lease has not lapsed yet
            Assert.True(DateTime.UtcNow < deadline, "the sync stayed busy after the restart");
            await Task.Delay(500);
        }
        Assert.Equal(0, result.GetProperty("failed").GetInt32());
        var meetings = _zoom.Meetings();
        foreach (var entry in entries)
        {
            var count = meetings.Count(m => ((string?)m["agenda"] ?? "").Contains(entry, StringComparison.Ordinal));
            Assert.True(count == 1, $"entry {entry} has {count} meetings in Zoom");
        }
        Assert.Equal(entries.Count, meetings.Count);
        var again = await Support.Http.Ensure<JsonElement>(await admin.PostAsync(Api("admin/zoom/sync"), null));
        Assert.Equal(0, again.GetProperty("created").GetInt32());
        Assert.Equal(entries.Count, _zoom.Meetings().Count);
        Log($"{entries.Count} entries, one meeting each");
    }

    /// <summary>
    /// At most maxUsersCount members, the roster's count agrees with the members that exist, every add answered 201
    /// before a kill is there; and with the app up, adds fill the site to exactly its limit (no slot lost to a killed add).
    /// </summary>
    async Task MembersAreWithinTheLimitAndAcknowledgedOnesExist(HttpClient admin, HashSet<string> acknowledged)
    {
        var page = await Members(admin);
        var emails = page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("email").GetString()!).ToHashSet();
        Assert.True(emails.Count <= MaxUsers, $"{emails.Count} members, the limit is {MaxUsers}");
        Assert.Equal(emails.Count, page.GetProperty("registered").GetInt32());
        Assert.Empty(acknowledged.Except(emails));

        for (var batch = 0; batch < MaxUsers; batch += 6)
        {
            var adds = await Task.WhenAll(Enumerable.Range(batch, 6).Select(i =>
                admin.PostAsJsonAsync(Api("admin/members"), new { email = $"late-{i}@crashy.example", authType = "aad" })));
            foreach (var r in adds)
                Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        }
        page = await Members(admin);
        Assert.Equal(MaxUsers, page.GetProperty("total").GetInt32());
        Assert.Equal(MaxUsers, page.GetProperty("registered").GetInt32());
        Log($"{acknowledged.Count} adds acknowledged before kills; {emails.Count} members after the restart");
    }

    static async Task<JsonElement> Members(HttpClient admin) =>
        await Support.Http.Ensure<JsonElement>(await admin.GetAsync(Api("admin/members?pageSize=500")));

    /// <summary>Whatever the rooms' settings name is served: the background and every uploaded BGM.</summary>
    static async Task RoomMediaServes(HttpClient admin, params string[] rooms)
    {
        foreach (var room in rooms)
        {
            var settings = await Support.Http.Ensure<JsonElement>(await admin.GetAsync(Api($"rooms/{room}/settings")));
            if (settings.GetProperty("background").GetProperty("uploaded").GetBoolean())
                Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(Api($"rooms/{room}/background"))).StatusCode);
            foreach (var m in settings.GetProperty("meetingRooms").EnumerateArray())
                if (m.TryGetProperty("bgm", out var bgm) && bgm.ValueKind == JsonValueKind.Object && bgm.GetProperty("kind").GetString() == "uploaded")
                    Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(Api($"rooms/{room}/meeting-rooms/{m.GetProperty("id").GetString()}/bgm"))).StatusCode);
        }
    }

    /// <summary>
    /// Read with the app down: both SQLite files pass integrity_check, every document parses, every blob a room's
    /// settings or a finished export names exists, and the blob folder holds those blobs and nothing else
    /// (no temporary file, no lone ".meta", no blob nobody names).
    /// </summary>
    void DocumentsAreWholeAndBlobsMatchThem(string siteId)
    {
        SqliteConnection.ClearAllPools();
        foreach (var db in new[] { "zawaroom.db", "events.db" })
        {
            using var check = new SqliteConnection($"Data Source={Path.Combine(_data, db)};Pooling=false");
            check.Open();
            using var integrity = check.CreateCommand();
            integrity.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", integrity.ExecuteScalar() as string);
        }

        var named = new HashSet<string>(StringComparer.Ordinal);
        var documents = 0;
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "zawaroom.db")};Mode=ReadOnly;Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT partition, kind, id, value FROM documents";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                documents++;
                var (kind, id, value) = (reader.GetString(1), reader.GetString(2), reader.GetString(3));
                using var _ = JsonDocument.Parse(value); // a half-written document would not parse
                if (kind == RoomSettingsStore.Kind)
                    named.UnionWith(RoomSettingsStore.BlobsOf(JsonSerializer.Deserialize<RoomSettingsDocument>(value, Json.Options)!));
                if (kind == LogExports.Kind && JsonSerializer.Deserialize<LogExport>(value, Json.Options)!.State == ExportState.Done)
                    named.Add(LogExports.BlobName(reader.GetString(0), id));
            }
        }

        // The files themselves, not a FolderBlobStore: its start would tidy what this looks for.
        var root = Path.Combine(_data, "blobs");
        foreach (var name in named)
            Assert.True(File.Exists(Path.Combine(root, name)) && File.Exists(Path.Combine(root, name + ".meta")), $"{name} is named but missing");

        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/')).ToHashSet(StringComparer.Ordinal);
        var strays = files.Where(f => f.EndsWith(".meta", StringComparison.Ordinal)
                ? !named.Contains(f[..^".meta".Length])
                : !named.Contains(f))
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(strays.Count == 0, "files in the blob folder no document names:\n" + string.Join("\n", strays));
        Log($"{documents} documents parse; {named.Count} named blobs exist; the blob folder holds nothing else");
    }
}
