using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Logs;
using Zawaroom.Logs.Export;
using Zawaroom.Storage;
using Zawaroom.Tests.Live;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Logs;

public sealed class LogExportApiTests(TestApp app) : IClassFixture<TestApp>
{
    static readonly DateTimeOffset T0 = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    static object Range(DateTimeOffset from, DateTimeOffset to, string? spaceId = null) =>
        new { from = from.ToString("o"), to = to.ToString("o"), spaceId };

    async Task<string> SiteId(TestSite site) =>
        (await Http.Ensure<JsonElement>(await (await site.Admin()).GetAsync(site.Api("me")))).GetProperty("siteId").GetString()!;

    /// <summary>Starts an export and waits (polling its status, as the web app does) until it is done.</summary>
    internal static async Task<JsonElement> Finished(HttpClient client, TestSite site, string path, object body)
    {
        var started = await client.PostAsJsonAsync(site.Api(path), body);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await Http.Ensure<JsonElement>(started)).GetProperty("id").GetString()!;
        return await WaitDone(client, site, id);
    }

    internal static async Task<JsonElement> WaitDone(HttpClient client, TestSite site, string id)
    {
        for (var i = 0; i < 600; i++)
        {
            var status = await Http.Ensure<JsonElement>(await client.GetAsync(site.Api($"logs/exports/{id}")));
            if (status.GetProperty("state").GetString() is "done" or "failed") return status;
            await Task.Delay(50);
        }
        throw new TimeoutException($"export {id} did not finish");
    }

    static async Task<List<string[]>> Download(HttpClient client, JsonElement status)
    {
        Assert.True(status.TryGetProperty("downloadUrl", out var url), status.ToString());
        var response = await client.GetAsync(url.GetString());
        await Http.Ensure(response);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        return LogCsvTests.Parse(bytes);
    }

    static string[] Row(UsageEvent e) =>
    [
        UsageTime.Utc(e.EventDateTime), e.EventDateTimeJst, e.EventType, e.Email, e.Name, e.Space, e.Room, e.SubroomName,
        DetailsText.Format(e.Details),
    ];

    UsageEvent Logged(string siteId, string id, DateTimeOffset at, string spaceId, string roomId, string text) => new()
    {
        Id = id, SiteId = siteId, EventDateTime = at, EventType = EventTypes.UserMessage, Email = "alice@x.example", Name = "alice",
        Space = spaceId, Room = roomId, SpaceId = spaceId, RoomId = roomId, Details = new Dictionary<string, string> { ["message"] = text },
    };

    async Task Append(params UsageEvent[] events)
    {
        var log = app.Services.GetRequiredService<IEventLog>();
        foreach (var e in events) await log.Append(e, CancellationToken.None);
    }

    [Fact]
    public async Task An_export_of_live_actions_parses_back_to_exactly_the_logged_events()
    {
        var site = await app.CreateSite("exp-live");
        await site.AddMember("alice@exp-live.example");
        await site.AddMember("bob@exp-live.example");
        var room = await site.AddRoom(await site.AddSpace("本社"), "開発室");
        var from = DateTimeOffset.UtcNow.AddMinutes(-5);
        DateTimeOffset to;
        await using (var bob = await LiveClient.Enter(site, "bob@exp-live.example", room))
        await using (var alice = await LiveClient.Enter(site, "alice@exp-live.example", room))
        {
            await alice.Invoke("SetStatus", new { status = "会議中", cid = "c1" });
            await alice.Invoke("Message", new { text = "=1+1, \"quoted\"\nnext line", cid = "c2" });
            await alice.Invoke("Knock", new { email = "bob@exp-live.example", cid = "c3" });
            await alice.Invoke("Leave", new { });
            await bob.Next("left");
            // Bob's own leaving, logged when he disconnects below, comes after the period.
            to = DateTimeOffset.UtcNow;
        }
        var logged = await app.Services.GetRequiredService<IEventLog>().Read(await SiteId(site), from, to, CancellationToken.None).ToListAsync();
        var admin = await site.Admin();

        var status = await Finished(admin, site, "admin/logs/exports", Range(from, to));
        var rows = await Download(admin, status);

        Assert.Equal("done", status.GetProperty("state").GetString());
        Assert.Equal(logged.Count, status.GetProperty("rows").GetInt64());
        Assert.Equal(1.0, status.GetProperty("progress").GetDouble());
        Assert.Contains(logged, e => e.EventType == EventTypes.UserMessage);
        Assert.Equal(LogCsv.Header, rows[0]);
        Assert.Equal(logged.Select(Row), rows.Skip(1));
        var message = rows.Single(r => r[2] == EventTypes.UserMessage);
        Assert.Equal("=1+1, \"quoted\"\nnext line", DetailsText.Parse(message[8])["message"]);
    }

    [Fact]
    public async Task A_space_export_and_a_room_export_hold_only_their_own_events_in_the_period()
    {
        var site = await app.CreateSite("exp-filt");
        var siteId = await SiteId(site);
        var east = await site.AddSpace("東");
        var west = await site.AddSpace("西");
        var roomA = await site.AddRoom(east, "A");
        var roomB = await site.AddRoom(east, "B");
        var roomW = await site.AddRoom(west, "W");
        await Append(
            Logged(siteId, "before", T0.AddDays(-1), east, roomA, "too early"),
            Logged(siteId, "a1", T0, east, roomA, "a1"),
            Logged(siteId, "b1", T0.AddHours(1), east, roomB, "b1"),
            Logged(siteId, "w1", T0.AddHours(2), west, roomW, "w1"),
            Logged(siteId, "a2", T0.AddHours(3), east, roomA, "a2"),
            Logged(siteId, "at-end", T0.AddDays(1), east, roomA, "to is exclusive"));
        var admin = await site.Admin();

        var all = await Download(admin, await Finished(admin, site, "admin/logs/exports", Range(T0, T0.AddDays(1))));
        var space = await Download(admin, await Finished(admin, site, "admin/logs/exports", Range(T0, T0.AddDays(1), east)));
        var room = await Download(admin, await Finished(admin, site, $"rooms/{roomA}/logs/exports", Range(T0, T0.AddDays(1))));

        string[] Messages(List<string[]> rows) => rows.Skip(1).Select(r => DetailsText.Parse(r[8])["message"]).ToArray();
        Assert.Equal(["a1", "b1", "w1", "a2"], Messages(all));
        Assert.Equal(["a1", "b1", "a2"], Messages(space));
        Assert.Equal(["a1", "a2"], Messages(room));
    }

    [Fact]
    public async Task An_export_is_read_only_by_who_started_it_or_a_site_admin()
    {
        var site = await app.CreateSite("exp-acc");
        var space = await site.AddSpace();
        var room = await site.AddRoom(space);
        var other = await site.AddRoom(space, "別室");
        await site.AddMember("ra@exp-acc.example");
        await site.AddMember("ra2@exp-acc.example");
        await site.AddMember("user@exp-acc.example");
        await site.MakeRoomAdmin(room, "ra@exp-acc.example", "ra2@exp-acc.example");
        await site.MakeRoomAdmin(other, "user@exp-acc.example");
        var roomAdmin = await site.As("ra@exp-acc.example");

        var status = await Finished(roomAdmin, site, $"rooms/{room}/logs/exports", Range(T0, T0.AddDays(1)));
        var id = status.GetProperty("id").GetString()!;

        await Download(roomAdmin, status);
        await Download(await site.Admin(), status);
        foreach (var stranger in new[] { "ra2@exp-acc.example", "user@exp-acc.example" })
        {
            var client = await site.As(stranger);
            await Http.AssertProblem(await client.GetAsync(site.Api($"logs/exports/{id}")), 404, "not-found");
            await Http.AssertProblem(await client.GetAsync(site.Api($"logs/exports/{id}/download")), 404, "not-found");
        }
        // A room admin of another room cannot export this one; nobody but a site admin exports the site.
        var otherAdmin = await site.As("user@exp-acc.example");
        await Http.AssertProblem(await otherAdmin.PostAsJsonAsync(site.Api($"rooms/{room}/logs/exports"), Range(T0, T0.AddDays(1))), 403, "forbidden");
        await Http.AssertProblem(await roomAdmin.PostAsJsonAsync(site.Api("admin/logs/exports"), Range(T0, T0.AddDays(1))), 403, "forbidden");
        // Once no longer the room's admin, the starter no longer reads it either.
        await site.MakeRoomAdmin(room, "ra2@exp-acc.example");
        await Http.AssertProblem(await roomAdmin.GetAsync(site.Api($"logs/exports/{id}")), 404, "not-found");
    }

    [Fact]
    public async Task A_bad_request_is_refused_before_anything_is_queued()
    {
        var site = await app.CreateSite("exp-bad");
        var foreign = await app.CreateSite("exp-bad2");
        var foreignSpace = await foreign.AddSpace();
        var admin = await site.Admin();

        await Http.AssertProblem(await admin.PostAsJsonAsync(site.Api("admin/logs/exports"), Range(T0, T0)), 400, "validation");
        await Http.AssertProblem(await admin.PostAsJsonAsync(site.Api("admin/logs/exports"), Range(T0, T0.AddDays(400))), 400, "validation");
        await Http.AssertProblem(await admin.PostAsJsonAsync(site.Api("admin/logs/exports"), new { to = T0 }), 400, "validation");
        await Http.AssertProblem(await admin.PostAsJsonAsync(site.Api("admin/logs/exports"), Range(T0, T0.AddDays(1), "no-such-space")), 404, "not-found");
        await Http.AssertProblem(await admin.PostAsJsonAsync(site.Api("admin/logs/exports"), Range(T0, T0.AddDays(1), foreignSpace)), 404, "not-found");
        await Http.AssertProblem(await admin.GetAsync(site.Api("logs/exports/no-such-export")), 404, "not-found");
        var store = app.Services.GetRequiredService<IDocumentStore>();
        Assert.Equal(0, await store.Count(await SiteId(site), LogExports.Kind, CancellationToken.None));
    }

    [Fact]
    public async Task An_export_left_queued_by_a_stopped_process_runs_when_the_worker_recovers_and_is_not_downloadable_before()
    {
        var site = await app.CreateSite("exp-recov");
        var siteId = await SiteId(site);
        var space = await site.AddSpace();
        var room = await site.AddRoom(space);
        await Append(Logged(siteId, "r1", T0.AddHours(1), space, room, "kept"));
        var store = app.Services.GetRequiredService<IDocumentStore>();
        // What a process that stopped right after accepting the request leaves behind: the document and the pending note, no queue item.
        var export = new LogExport { Id = "left-behind", StartedBy = site.AdminEmail, From = T0, To = T0.AddDays(1), CreatedAt = T0 };
        await store.Create(siteId, LogExports.Kind, export.Id, export, CancellationToken.None);
        await store.Replace(Partitions.Platform, LogExports.PendingKind, $"{siteId}:{export.Id}", new PendingExport(siteId, export.Id), null, CancellationToken.None);
        var admin = await site.Admin();

        var queued = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api("logs/exports/left-behind")));
        Assert.Equal("queued", queued.GetProperty("state").GetString());
        Assert.False(queued.TryGetProperty("downloadUrl", out _));
        await Http.AssertProblem(await admin.GetAsync(site.Api("logs/exports/left-behind/download")), 409, "export-not-ready");

        await app.Services.GetRequiredService<LogExports>().Recover(CancellationToken.None);
        var done = await WaitDone(admin, site, "left-behind");

        var rows = await Download(admin, done);
        Assert.Equal("kept", DetailsText.Parse(rows.Single(r => r[0] != "eventDateTime")[8])["message"]);
        Assert.Null(await store.Get<PendingExport>(Partitions.Platform, LogExports.PendingKind, $"{siteId}:left-behind", CancellationToken.None));
    }
}
