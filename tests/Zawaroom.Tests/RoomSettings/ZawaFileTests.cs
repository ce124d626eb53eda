using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.RoomSettings;

public sealed class ZawaFileTests(TestApp app) : IClassFixture<TestApp>
{
    /// <summary>A room with every kind of setting: checked domain, sound, scale, background, a URL BGM and an uploaded one.</summary>
    async Task<(TestSite Site, string Space, string Room, byte[] Png, byte[] Mp3)> FullRoom(string sub)
    {
        var (site, space, room) = await SettingsHttp.NewSite(app, sub);
        var admin = await site.Admin();
        var png = TestMedia.Png(3000, 2000, seed: 7);
        await Http.Ensure(await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/background"), png, "image/png"));
        var (_, etag) = await SettingsHttp.Get(admin, site, room);
        await Http.Ensure(await SettingsHttp.Put(admin, site, room, SettingsHttp.Layout(sub), etag));
        var mp3 = TestMedia.Mp3(frames: 12, id3: true, fill: 0x55);
        await Http.Ensure(await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/meeting-rooms/guest/bgm"), mp3, "audio/mpeg"));
        return (site, space, room, png, mp3);
    }

    static async Task<byte[]> Export(HttpClient client, TestSite site, string room)
    {
        var response = await client.GetAsync(site.Api($"rooms/{room}/export"));
        await Http.Ensure(response);
        Assert.EndsWith(".zawa", response.Content.Headers.ContentDisposition!.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName!.Trim('"'));
        return await response.Content.ReadAsByteArrayAsync();
    }

    [Fact]
    public async Task Export_then_import_into_a_fresh_room_reproduces_the_layout_field_by_field_and_blob_by_blob()
    {
        var (site, space, source, png, mp3) = await FullRoom("zwround");
        var admin = await site.Admin();
        var file = await Export(admin, site, source);
        var json = JsonNode.Parse(file)!;
        Assert.Equal("zawaroom.room", (string)json["format"]!);
        Assert.Equal(1, (int)json["version"]!);
        Assert.Null(json["entry"]!["users"]);
        var target = await site.AddRoom(space, "コピー先");

        var imported = await Http.Ensure<JsonElement>(await SettingsHttp.Import(admin, site, target, file));

        Assert.Empty(imported.GetProperty("ignoredDomains").EnumerateArray());
        var (a, _) = await SettingsHttp.Get(admin, site, source);
        var (b, _) = await SettingsHttp.Get(admin, site, target);
        foreach (var field in new[] { "sound", "scale", "meetingRooms", "entryPosition" })
            Assert.True(JsonNode.DeepEquals(a[field], b[field]), $"{field}: {a[field]?.ToJsonString()} != {b[field]?.ToJsonString()}");
        foreach (var field in new[] { "width", "height", "uploaded", "contentType" })
            Assert.True(JsonNode.DeepEquals(a["background"]![field], b["background"]![field]), field);
        Assert.True(JsonNode.DeepEquals(a["entry"]!["domains"], b["entry"]!["domains"]));
        // Entry by user is site-specific: not carried, the target keeps its own (empty) list.
        Assert.Empty(b["entry"]!["users"]!.AsArray());
        Assert.Equal(png, await admin.GetByteArrayAsync(site.Api($"rooms/{target}/background")));
        Assert.Equal(mp3, await admin.GetByteArrayAsync(site.Api($"rooms/{target}/meeting-rooms/guest/bgm")));
        Assert.Equal(2, (await SettingsHttp.Blobs(app, site, target)).Count);
        // Exporting the copy gives the same file but for the export time and the room name.
        var again = JsonNode.Parse(await Export(admin, site, target))!;
        foreach (var field in new[] { "entry", "sound", "scale", "background", "meetingRooms" })
            Assert.True(JsonNode.DeepEquals(json[field], again[field]), field);
    }

    [Fact]
    public async Task Importing_replaces_the_old_media_of_the_target_room()
    {
        var (site, space, source, _, _) = await FullRoom("zwrepl");
        var admin = await site.Admin();
        var file = await Export(admin, site, source);

        await Http.Ensure(await SettingsHttp.Import(admin, site, source, file));

        Assert.Equal(2, (await SettingsHttp.Blobs(app, site, source)).Count);
    }

    [Fact]
    public async Task Domains_the_target_site_does_not_allow_are_reported_and_left_out()
    {
        var (site, _, source, _, _) = await FullRoom("zwdomain");
        var file = await Export(await site.Admin(), site, source);
        var other = await app.CreateSite("zwother");
        var otherAdmin = await other.Admin();
        var room = await other.AddRoom(await other.AddSpace());

        var imported = await Http.Ensure<JsonElement>(await SettingsHttp.Import(otherAdmin, other, room, file));

        Assert.Equal(["partner.example"], imported.GetProperty("ignoredDomains").EnumerateArray().Select(d => d.GetString()));
        Assert.Empty(imported.GetProperty("settings").GetProperty("entry").GetProperty("domains").EnumerateArray());
    }

    static readonly Func<JsonNode, string>[] Mutations =
    [
        _ => "",
        _ => "this is not json",
        _ => "[]",
        _ => "{}",
        _ => "null",
        f => Set(f, n => n["format"] = "someone-else.room"),
        f => Set(f, n => n.AsObject().Remove("format")),
        f => Set(f, n => n["version"] = 2),
        f => Set(f, n => n["version"] = 0),
        f => Set(f, n => n["version"] = "1"),
        f => Set(f, n => n["version"] = 1.5),
        f => f.ToJsonString()[..(f.ToJsonString().Length / 2)],
        f => Set(f, n => n.AsObject().Remove("entry")),
        f => Set(f, n => n["entry"]!["domains"] = "partner.example"),
        f => Set(f, n => n["sound"]!["voiceReach"] = 999999),
        f => Set(f, n => n["scale"]!["minimum"] = new JsonObject { ["mode"] = "fixed", ["percent"] = 120 }),
        f => Set(f, n => n["background"]!["width"] = 10),
        f => Set(f, n => n["background"]!["image"]!["data"] = "%%% not base64 %%%"),
        f => Set(f, n => n["background"]!["image"]!["data"] = Convert.ToBase64String("just text, not an image"u8.ToArray())),
        f => Set(f, n => n["background"]!["width"] = 4000),
        f => Set(f, n => n["meetingRooms"]![0]!["x"] = 2900),
        f => Set(f, n => n["meetingRooms"]![0]!["areaStyle"] = new JsonObject { ["background"] = "url(javascript:alert(1))" }),
        f => Set(f, n => n["meetingRooms"]![0]!["nameStyle"] = new JsonObject { ["onmouseover"] = "alert(1)" }),
        f => Set(f, n => n["meetingRooms"]![1]!["bgm"]!["data"] = Convert.ToBase64String(TestMedia.Png(400, 400))),
        f => Set(f, n => n["meetingRooms"]![0]!["bgm"] = new JsonObject { ["kind"] = "url", ["url"] = "http://plain.example/a.mp3" }),
        f => Set(f, n => n["meetingRooms"]![1]!["id"] = "board"),
        f => Set(f, n => n["meetingRooms"]![0]!["audioMode"] = "loud"),
        f => Set(f, n => n["meetingRooms"] = new JsonObject()),
        f => Set(f, n => n["items"] = new JsonArray(new JsonObject { ["kind"] = "sticky", ["text"] = "x" })),
        _ => new string('[', 200) + new string(']', 200),
        f => Encoding.Latin1.GetString([0xFF, 0xFE, .. Encoding.Unicode.GetBytes(f.ToJsonString())]),
    ];

    public static TheoryData<int> MalformedVariants => new(Enumerable.Range(0, Mutations.Length));

    static string Set(JsonNode file, Action<JsonNode> change)
    {
        var copy = file.DeepClone();
        change(copy);
        return copy.ToJsonString();
    }

    [Theory]
    [MemberData(nameof(MalformedVariants))]
    public async Task A_malformed_foreign_or_future_file_is_refused_and_changes_nothing(int variant)
    {
        var (site, space, source, _, _) = await FullRoom("zwbad" + variant);
        var admin = await site.Admin();
        var file = JsonNode.Parse(await Export(admin, site, source))!;
        var target = await site.AddRoom(space, "対象");
        var (before, etag) = await SettingsHttp.Get(admin, site, target);
        var blobsBefore = await SettingsHttp.Blobs(app, site, target);
        var bytes = Encoding.Latin1.GetBytes(Mutations[variant](file)) is var latin && variant == Mutations.Length - 1
            ? latin
            : Encoding.UTF8.GetBytes(Mutations[variant](file));

        var response = await SettingsHttp.Import(admin, site, target, bytes);

        await Http.AssertProblem(response, 400, "file-invalid");
        var (after, etagAfter) = await SettingsHttp.Get(admin, site, target);
        Assert.Equal(etag, etagAfter);
        Assert.True(JsonNode.DeepEquals(before, after));
        Assert.Equal(blobsBefore, await SettingsHttp.Blobs(app, site, target));
        // Nothing was left behind in the room the file came from either, or anywhere else.
        Assert.Equal(2, (await SettingsHttp.Blobs(app, site, source)).Count);
    }

    [Fact]
    public async Task A_file_whose_embedded_image_is_over_the_limit_is_refused_as_too_large()
    {
        var (site, space, source, _, _) = await FullRoom("zwbig");
        var admin = await site.Admin();
        var file = JsonNode.Parse(await Export(admin, site, source))!;
        var big = new byte[10 * 1024 * 1024 + 16];
        TestMedia.Png(3000, 2000).CopyTo(big, 0);
        file["background"]!["image"]!["data"] = Convert.ToBase64String(big);
        var target = await site.AddRoom(space, "対象");
        var (_, etag) = await SettingsHttp.Get(admin, site, target);

        await Http.AssertProblem(await SettingsHttp.Import(admin, site, target, Encoding.UTF8.GetBytes(file.ToJsonString())), 413, "too-large");

        Assert.Equal(etag, (await SettingsHttp.Get(admin, site, target)).ETag);
        Assert.Empty(await SettingsHttp.Blobs(app, site, target));
    }

    [Fact]
    public async Task A_stale_If_Match_on_import_is_refused()
    {
        var (site, _, source, _, _) = await FullRoom("zwstale");
        var admin = await site.Admin();
        var file = await Export(admin, site, source);
        var content = new ByteArrayContent(file);
        var request = new HttpRequestMessage(HttpMethod.Post, site.Api($"rooms/{source}/import")) { Content = content };
        request.Headers.TryAddWithoutValidation("If-Match", "\"stale\"");

        await Http.AssertProblem(await admin.SendAsync(request), 412, "conflict");
        Assert.Equal(2, (await SettingsHttp.Blobs(app, site, source)).Count);
    }
}
