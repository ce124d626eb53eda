using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Logs;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

public sealed class UsageLogTests(SequenceTests.BusyApp fixture) : IClassFixture<SequenceTests.BusyApp>
{
    // Every action in one go is faster than a person: the command limit is lifted for this class.
    readonly TestApp app = fixture.App;

    async Task<List<UsageEvent>> Log(TestSite site)
    {
        var me = await Http.Ensure<JsonElement>(await (await site.Admin()).GetAsync(site.Api("me")));
        var events = new List<UsageEvent>();
        await foreach (var e in app.Services.GetRequiredService<IEventLog>().Read(me.GetProperty("siteId").GetString()!,
            DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None))
            events.Add(e);
        return events;
    }

    [Fact]
    public async Task Each_live_action_is_logged_once_with_the_G1_fields()
    {
        var site = await app.CreateSite("log-all");
        await site.AddMember("alice@log-all.example");
        await site.AddMember("bob@log-all.example");
        var room = await site.AddRoom(await site.AddSpace("本社"), "開発室");
        await using var bob = await LiveClient.Enter(site, "bob@log-all.example", room);
        await using var alice = await LiveClient.Enter(site, "alice@log-all.example", room);

        await alice.Invoke("SetStatus", new { status = "会議中", cid = "c1" });
        await alice.Invoke("Knock", new { email = "bob@log-all.example", cid = "c2" });
        await alice.Invoke("Focus", new { focused = false, cid = "c3" });
        await alice.Invoke("Message", new { text = "こんにちは", cid = "c4" });
        await alice.Invoke("Board", new { kind = "sticky", text = "todo", x = 10, y = 20, cid = "c5" });
        var board = await bob.Next("event", e => e.Str("type") == "register board");
        await alice.Invoke("Board", new { id = board.Str("boardId"), kind = "sticky", text = "done", x = 10, y = 20, cid = "c6" });
        await alice.Invoke("Mute", new { kind = "audio", muted = true, cid = "c7" });
        await alice.Invoke("Mute", new { kind = "speaker", muted = true, cid = "c8" });
        await alice.Invoke("Mute", new { kind = "video", muted = false, cid = "c9" });
        await alice.Invoke("VoiceArea", new { reach = 450, cid = "c10" });
        await alice.Invoke("RingBell", new { cid = "c11" });
        await alice.Invoke("ShareScreen", new { sharing = true, cid = "c12" });
        await alice.Invoke("ShareScreen", new { sharing = false, cid = "c13" });
        await alice.Invoke("Leave", new { });
        await bob.Next("left");

        var log = (await Log(site)).Where(e => e.Email == "alice@log-all.example").ToList();
        // A new room's entry position is inside its "ゲストエリア" meeting room (R8), so entering is also entering that sub room.
        string[] expected = ["enter room", "enter sub room", "status", "knock user", "isFocus", "userMessage", "register board", "update board",
            "audioMuted", "speakerMuted", "videoMuted", "voiceArea", "ring bell", "start share screen", "stop share screen", "leave sub room", "leave room"];
        Assert.Equal(expected, log.Select(e => e.EventType));
        Assert.All(log, e =>
        {
            Assert.Equal("本社", e.Space);
            Assert.Equal("開発室", e.Room);
            Assert.Equal("alice", e.Name);
            Assert.Equal(TimeSpan.Zero, e.EventDateTime.Offset);
            Assert.Equal(e.EventDateTime.AddHours(9).ToString("yyyy-MM-dd'T'HH:mm:ss.fff") + "+09:00", e.EventDateTimeJst);
        });
        Assert.Equal("会議中", log.Single(e => e.EventType == "status").Details["status"]);
        Assert.Equal("bob@log-all.example", log.Single(e => e.EventType == "knock user").Details["target"]);
        Assert.Equal("こんにちは", log.Single(e => e.EventType == "userMessage").Details["message"]);
        Assert.Equal("done", log.Single(e => e.EventType == "update board").Details["text"]);
        Assert.Equal("450", log.Single(e => e.EventType == "voiceArea").Details["reach"]);
        Assert.Equal("false", log.Single(e => e.EventType == "isFocus").Details["focused"]);

        var json = JsonSerializer.SerializeToElement(log[1], Zawaroom.Common.Json.Options);
        foreach (var field in new[] { "eventDateTime", "eventDateTime(JST)", "eventType", "email", "name", "space", "room", "subroom.name", "details" })
            Assert.True(json.TryGetProperty(field, out _), $"the G1 field '{field}' is missing");
    }

    [Fact]
    public async Task A_retried_command_is_logged_and_pushed_once()
    {
        var site = await app.CreateSite("log-retry");
        await site.AddMember("alice@log-retry.example");
        await site.AddMember("bob@log-retry.example");
        var room = await site.AddRoom(await site.AddSpace());
        await using var bob = await LiveClient.Enter(site, "bob@log-retry.example", room);
        await using var alice = await LiveClient.Enter(site, "alice@log-retry.example", room);

        await alice.Invoke("Message", new { text = "once", cid = "same" });
        await alice.Invoke("Message", new { text = "once", cid = "same" });
        await alice.Invoke("Board", new { kind = "signboard", text = "受付", x = 1, y = 1, cid = "b" });
        await alice.Invoke("Board", new { kind = "signboard", text = "受付", x = 1, y = 1, cid = "b" });
        await alice.Invoke("Message", new { text = "after", cid = "next" });

        await bob.Next("event", e => e.TryGetProperty("message", out var m) && m.GetString() == "after");
        var log = await Log(site);
        Assert.Single(log, e => e.EventType == "userMessage" && e.Details["message"] == "once");
        Assert.Single(log, e => e.EventType is "register board" or "update board");
        var entry = await Http.Ensure<JsonElement>(await (await site.As("bob@log-retry.example")).PostAsync(site.Api($"rooms/{room}/enter"), null));
        Assert.Equal(1, entry.GetProperty("snapshot").GetProperty("boards").GetArrayLength());
    }
}

public sealed class ImageUploadTests(TestApp app) : IClassFixture<TestApp>
{
    static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    [Fact]
    public async Task An_uploaded_image_is_stored_pushed_and_logged_once()
    {
        var site = await app.CreateSite("img-up");
        await site.AddMember("alice@img-up.example");
        await site.AddMember("bob@img-up.example");
        var room = await site.AddRoom(await site.AddSpace());
        await using var bob = await LiveClient.Enter(site, "bob@img-up.example", room);
        await using var alice = await LiveClient.Enter(site, "alice@img-up.example", room);
        var http = await site.As("alice@img-up.example");

        HttpContent Image() => new ByteArrayContent(Png) { Headers = { ContentType = new("image/png") } };
        var first = await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"rooms/{room}/images?cid=i1"), Image()));
        var retry = await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"rooms/{room}/images?cid=i1"), Image()));

        Assert.Equal(first.Str("id"), retry.Str("id"));
        var pushed = await bob.Next("event", e => e.Str("type") == "register image");
        Assert.Equal(first.Str("url"), pushed.Str("url"));
        var stored = await (await site.As("bob@img-up.example")).GetAsync(first.Str("url"));
        Assert.Equal(Png, await stored.Content.ReadAsByteArrayAsync());
        var me = await Http.Ensure<JsonElement>(await http.GetAsync(site.Api("me")));
        var log = await app.Services.GetRequiredService<IEventLog>().Read(me.Str("siteId"), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None).ToListAsync();
        Assert.Single(log, e => e.EventType == "register image");
        Assert.Equal("image/png", log.Single(e => e.EventType == "register image").Details["contentType"]);
    }

    [Fact]
    public async Task Only_someone_inside_the_room_places_an_image()
    {
        var site = await app.CreateSite("img-out");
        var room = await site.AddRoom(await site.AddSpace());
        var admin = await site.Admin();

        var outside = await admin.PostAsync(site.Api($"rooms/{room}/images"), new ByteArrayContent(Png) { Headers = { ContentType = new("image/png") } });
        var notImage = await admin.PostAsync(site.Api($"rooms/{room}/images"), new StringContent("hello"));

        await Http.AssertProblem(outside, 409, "not-in-room");
        await Http.AssertProblem(notImage, 415, "file-invalid");
    }
}
