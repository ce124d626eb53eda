using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Blobs;
using Zawaroom.Logs;
using Zawaroom.Tests.RoomSettings;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live.Office;

/// <summary>R2 "placed items": an uploaded image lies in the room like a sticky note.</summary>
public sealed class PlacedImageTests(TestApp app) : IClassFixture<TestApp>
{
    static HttpContent Png() => new ByteArrayContent(TestMedia.Png(40, 20)) { Headers = { ContentType = new("image/png") } };

    [Fact]
    public async Task An_uploaded_image_lies_where_its_author_stands_is_pushed_and_is_in_a_later_entrants_snapshot()
    {
        var site = await app.CreateSite("img-place");
        await site.AddMember("alice@img-place.example");
        await site.AddMember("bob@img-place.example");
        await site.AddMember("carol@img-place.example");
        var room = await site.AddRoom(await site.AddSpace());
        await using var bob = await LiveClient.Enter(site, "bob@img-place.example", room);
        await using var alice = await LiveClient.Enter(site, "alice@img-place.example", room);
        await alice.Invoke("Move", new { x = 1000, y = 1500 });
        await bob.Next("moved", m => m.Moves("alice@img-place.example"));

        var http = await site.As("alice@img-place.example");
        // Without a spot chosen: where she stands; the size keeps the picture's proportions (40 x 20).
        var placed = await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"rooms/{room}/images?cid=p1&w=40&h=20"), Png()));
        var image = placed.GetProperty("image");
        Assert.Equal((1000d, 1500d), (image.GetProperty("x").GetDouble(), image.GetProperty("y").GetDouble()));
        Assert.Equal(2, image.GetProperty("width").GetDouble() / image.GetProperty("height").GetDouble());
        Assert.Equal("alice@img-place.example", image.Str("author"));

        var pushed = await bob.Next("event", e => e.Str("type") == "register image");
        Assert.Equal(placed.Str("id"), pushed.GetProperty("image").Str("id"));
        Assert.Equal(1000, pushed.GetProperty("image").GetProperty("x").GetDouble());

        // A spot chosen near the author (the client keeps images clear of boards) is kept.
        var second = await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"rooms/{room}/images?cid=p2&x=1300&y=1400&w=10&h=10"), Png()));
        Assert.Equal(1300, second.GetProperty("image").GetProperty("x").GetDouble());

        await using var carol = await LiveClient.Enter(site, "carol@img-place.example", room);
        var images = carol.FirstSnapshot.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal([placed.Str("id"), second.Str("id")], images.Select(i => i.Str("id")));
        Assert.Equal(placed.Str("url"), images[0].Str("url"));
    }

    [Fact]
    public async Task Only_the_author_or_a_room_admin_moves_or_removes_an_image_and_only_registering_is_logged()
    {
        var site = await app.CreateSite("img-rights");
        await site.AddMember("alice@img-rights.example");
        await site.AddMember("bob@img-rights.example");
        await site.AddMember("rita@img-rights.example");
        var room = await site.AddRoom(await site.AddSpace());
        await site.MakeRoomAdmin(room, "rita@img-rights.example");
        await using var bob = await LiveClient.Enter(site, "bob@img-rights.example", room);
        await using var alice = await LiveClient.Enter(site, "alice@img-rights.example", room);
        var aliceHttp = await site.As("alice@img-rights.example");
        var bobHttp = await site.As("bob@img-rights.example");
        var rita = await site.As("rita@img-rights.example");
        var placed = await Http.Ensure<JsonElement>(await aliceHttp.PostAsync(site.Api($"rooms/{room}/images?cid=r1&w=4&h=3"), Png()));
        var id = placed.Str("id");
        var at = site.Api($"rooms/{room}/images/{id}");
        await bob.Next("event", e => e.Str("type") == "register image");

        // Bob is neither the author nor a room admin: refused, nothing moves or goes.
        await Http.AssertProblem(await bobHttp.PatchAsJsonAsync(at, new { x = 10, y = 10 }), 403, "forbidden");
        await Http.AssertProblem(await bobHttp.DeleteAsync(at), 403, "forbidden");
        await Http.AssertProblem(await aliceHttp.PatchAsJsonAsync(at, new { y = 1 }), 400, "validation");
        await Http.AssertProblem(await aliceHttp.PatchAsJsonAsync(site.Api($"rooms/{room}/images/nope"), new { x = 1, y = 1 }), 404, "not-found");

        // The author moves it; everyone sees it move.
        var moved = await Http.Ensure<JsonElement>(await aliceHttp.PatchAsJsonAsync(at, new { x = 3000, y = 900 }));
        Assert.Equal(3000, moved.GetProperty("x").GetDouble());
        var push = await bob.Next("event", e => e.Str("type") == "move image");
        Assert.Equal(900, push.GetProperty("image").GetProperty("y").GetDouble());
        await using (var later = await LiveClient.Enter(site, "rita@img-rights.example", room))
            Assert.Equal(3000, later.FirstSnapshot.GetProperty("images")[0].GetProperty("x").GetDouble());

        // A room admin removes it: gone from the room, the snapshot and the blob store.
        Assert.Equal(HttpStatusCode.NoContent, (await rita.DeleteAsync(at)).StatusCode);
        Assert.Equal(id, (await bob.Next("event", e => e.Str("type") == "remove image")).Str("imageId"));
        await using (var after = await LiveClient.Enter(site, "rita@img-rights.example", room))
            Assert.Empty(after.FirstSnapshot.GetProperty("images").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await bobHttp.GetAsync(placed.Str("url"))).StatusCode);

        var me = await Http.Ensure<JsonElement>(await aliceHttp.GetAsync(site.Api("me")));
        var log = await app.Services.GetRequiredService<IEventLog>().Read(me.Str("siteId"), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None).ToListAsync();
        Assert.Single(log, e => e.EventType == "register image");
        Assert.DoesNotContain(log, e => e.EventType.Contains("image") && e.EventType != "register image");
    }

    [Fact]
    public async Task A_placed_image_is_not_part_of_the_rooms_zawa_file()
    {
        var site = await app.CreateSite("img-zawa");
        await site.AddMember("alice@img-zawa.example");
        var room = await site.AddRoom(await site.AddSpace());
        await using var alice = await LiveClient.Enter(site, "alice@img-zawa.example", room);
        var placed = await Http.Ensure<JsonElement>(await (await site.As("alice@img-zawa.example")).PostAsync(site.Api($"rooms/{room}/images?cid=z1"), Png()));

        var zawa = await (await site.Admin()).GetStringAsync(site.Api($"rooms/{room}/export"));
        Assert.Contains("zawaroom.room", zawa);
        Assert.DoesNotContain(placed.Str("id"), zawa);
        Assert.DoesNotContain("images", zawa);
    }

    [Fact]
    public async Task An_image_upload_cut_short_by_a_crash_leaves_no_orphan_blob_and_a_placed_image_survives_the_sweep()
    {
        var site = await app.CreateSite("img-crash");
        await site.AddMember("alice@img-crash.example");
        var room = await site.AddRoom(await site.AddSpace());
        await using var alice = await LiveClient.Enter(site, "alice@img-crash.example", room);
        var http = await site.As("alice@img-crash.example");
        var siteId = (await Http.Ensure<JsonElement>(await http.GetAsync(site.Api("me")))).Str("siteId");
        var placed = await Http.Ensure<JsonElement>(await http.PostAsync(site.Api($"rooms/{room}/images?cid=c1"), Png()));
        var settings = app.Services.GetRequiredService<Zawaroom.RoomSettings.RoomSettingsStore>();
        var blobs = app.Services.GetRequiredService<IBlobStore>();
        var keptBlob = Zawaroom.Live.LiveApi.ImageBlob(siteId, room, placed.Str("id"));

        // Two uploads whose process died: one after its blob was written but before the image was placed,
        // one after the image was placed but before its note was dropped.
        var lostBlob = Zawaroom.Live.LiveApi.ImageBlob(siteId, room, "killed-upload");
        await settings.BeginMediaWrite(siteId, room, [lostBlob], default);
        await blobs.Put(lostBlob, new MemoryStream(TestMedia.Png(10, 10)), "image/png", default);
        await settings.BeginMediaWrite(siteId, room, [keptBlob], default);

        Assert.True(await settings.FinishUnfinishedWrites(TimeSpan.Zero, default) >= 2);

        Assert.Null(await blobs.Open(lostBlob, default));
        var image = await http.GetAsync(site.Api($"rooms/{room}/images/{placed.Str("id")}"));
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
    }
}
