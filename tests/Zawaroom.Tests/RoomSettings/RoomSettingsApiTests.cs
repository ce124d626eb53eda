using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Blobs;
using Zawaroom.Rooms;
using Zawaroom.Sites;
using Zawaroom.Storage;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.RoomSettings;

/// <summary>Helpers shared by the room settings API tests.</summary>
public static class SettingsHttp
{
    public static async Task<(JsonNode Body, string ETag)> Get(HttpClient client, TestSite site, string roomId)
    {
        var response = await client.GetAsync(site.Api($"rooms/{roomId}/settings"));
        await Http.Ensure(response);
        // Raw, as a browser's fetch reads it: the Cosmos DB stand-in's versions are unquoted UUIDs, which HttpClient's typed ETag drops.
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync())!, response.Headers.GetValues("ETag").Single());
    }

    public static Task<HttpResponseMessage> Put(HttpClient client, TestSite site, string roomId, object body, string? ifMatch) =>
        PutJson(client, site.Api($"rooms/{roomId}/settings"), body is string s ? s : JsonSerializer.Serialize(body), ifMatch);

    public static Task<HttpResponseMessage> PutJson(HttpClient client, string url, string json, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PutBytes(HttpClient client, string url, byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return client.PutAsync(url, content);
    }

    public static Task<HttpResponseMessage> Import(HttpClient client, TestSite site, string roomId, byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return client.PostAsync(site.Api($"rooms/{roomId}/import"), content);
    }

    public static async Task<string> SiteId(TestApp app, TestSite site) =>
        (await app.Services.GetRequiredService<SiteDirectory>().FindBySubdomain(site.Subdomain, CancellationToken.None))!.Value.Id;

    public static async Task<List<string>> Blobs(TestApp app, TestSite site, string roomId)
    {
        var names = new List<string>();
        await foreach (var name in app.Services.GetRequiredService<IBlobStore>().List(RoomDirectory.BlobPrefix(await SiteId(app, site), roomId), CancellationToken.None))
            names.Add(name);
        return names;
    }

    /// <summary>A site with two allowed domains, a member of each, a space and a room.</summary>
    public static async Task<(TestSite Site, string Space, string Room)> NewSite(TestApp app, string sub)
    {
        var site = await app.CreateSite(sub);
        var admin = await site.Admin();
        await Http.Ensure(await admin.Patch(site.Api("admin/site"), new { allowDomainNames = new[] { $"{sub}.example", "partner.example" } }));
        await site.AddMember($"taro@{sub}.example");
        await site.AddMember("hanako@partner.example");
        var space = await site.AddSpace();
        return (site, space, await site.AddRoom(space));
    }

    public static object Layout(string sub) => new
    {
        entry = new { domains = new[] { "partner.example" }, users = $"taro@{sub}.example" },
        sound = new { voiceReach = 420, entryChimeVolume = 30, doorVolume = 80 },
        scale = new { minimum = new { mode = "fixed", percent = 60 }, entry = new { mode = "fit-width" } },
        meetingRooms = new object[]
        {
            new
            {
                id = "board", name = "会議室A", x = 100, y = 200, width = 800, height = 600,
                nameStyle = new Dictionary<string, object> { ["color"] = "#ffffff", ["fontSize"] = "20px" },
                areaStyle = new Dictionary<string, object> { ["background"] = "rgba(0, 0, 255, 0.2)", ["borderColor"] = "navy" },
                audioMode = "by-distance", bgm = new { kind = "url", url = "https://cdn.example/bgm.mp3" }, bgmVolume = "lower",
            },
            new { id = "guest", name = "ゲストエリア", x = 2000, y = 1000, width = 400, height = 300, audioMode = "none", bgmVolume = "much-lower" },
        },
    };
}

public sealed class RoomSettingsApiTests(TestApp app) : IClassFixture<TestApp>
{
    /// <summary>Makes the subdomains of theory cases unique within the shared app.</summary>
    static int _sites;

    [Fact]
    public async Task A_new_room_has_the_default_settings()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsdef");
        var (s, etag) = await SettingsHttp.Get(await site.Admin(), site, room);

        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(4800, (int)s["background"]!["width"]!);
        Assert.Equal(2750, (int)s["background"]!["height"]!);
        Assert.False((bool)s["background"]!["uploaded"]!);
        // The default office floor: ゲストエリア at its entrance, then the meeting rooms drawn on it.
        var rooms = s["meetingRooms"]!.AsArray();
        Assert.Equal(["ゲストエリア", "会議室A", "会議室B", "会議室C", "会議室D"], rooms.Select(m => (string)m!["name"]!));
        var guest = rooms[0]!;
        Assert.Equal("ゲストエリア", (string)guest["name"]!);
        Assert.Equal("whole-room", (string)guest["audioMode"]!);
        Assert.Equal("fit-height", (string)s["scale"]!["minimum"]!["mode"]!);
        Assert.Equal("fit-height", (string)s["scale"]!["entry"]!["mode"]!);
        Assert.Equal((double)guest["x"]! + (double)guest["width"]! / 2, (double)s["entryPosition"]!["x"]!);
        Assert.All(s["entry"]!["domains"]!.AsArray(), d => Assert.False((bool)d!["checked"]!));
        Assert.Equal(2, s["entry"]!["domains"]!.AsArray().Count);
    }

    [Fact]
    public async Task Members_see_the_layout_but_not_who_may_enter_and_cannot_change_it()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsmem");
        var member = await site.As("taro@rsmem.example");

        var (s, etag) = await SettingsHttp.Get(member, site, room);

        Assert.Null(s["entry"]);
        Assert.NotNull(s["meetingRooms"]);
        await Http.AssertProblem(await SettingsHttp.Put(member, site, room, new { sound = new { voiceReach = 100, entryChimeVolume = 1, doorVolume = 1 } }, etag), 403, "forbidden");
        await Http.AssertProblem(await member.GetAsync(site.Api($"rooms/{room}/export")), 403, "forbidden");
    }

    [Fact]
    public async Task A_room_admin_saves_every_setting_and_reads_it_back()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rssave");
        await site.MakeRoomAdmin(room, "taro@rssave.example");
        var roomAdmin = await site.As("taro@rssave.example");
        var (_, etag) = await SettingsHttp.Get(roomAdmin, site, room);

        var response = await SettingsHttp.Put(roomAdmin, site, room, SettingsHttp.Layout("rssave"), etag);

        await Http.Ensure(response);
        var (s, newEtag) = await SettingsHttp.Get(roomAdmin, site, room);
        Assert.NotEqual(etag, newEtag);
        Assert.Equal(response.Headers.ETag!.ToString(), newEtag);
        Assert.Equal([true, false], s["entry"]!["domains"]!.AsArray().Where(d => (string)d!["domain"]! == "partner.example" || (string)d["domain"]! == "rssave.example")
            .OrderBy(d => (string)d!["domain"]! == "partner.example" ? 0 : 1).Select(d => (bool)d!["checked"]!));
        Assert.Equal(["taro@rssave.example"], s["entry"]!["users"]!.AsArray().Select(u => (string)u!));
        Assert.Equal(420, (int)s["sound"]!["voiceReach"]!);
        Assert.Equal(60, (int)s["scale"]!["minimum"]!["percent"]!);
        Assert.Equal("fit-width", (string)s["scale"]!["entry"]!["mode"]!);
        var rooms = s["meetingRooms"]!.AsArray();
        Assert.Equal(["board", "guest"], rooms.Select(r => (string)r!["id"]!));
        Assert.Equal("20px", (string)rooms[0]!["nameStyle"]!["fontSize"]!);
        Assert.Equal("by-distance", (string)rooms[0]!["audioMode"]!);
        Assert.Equal("https://cdn.example/bgm.mp3", (string)rooms[0]!["bgm"]!["url"]!);
        Assert.Equal("much-lower", (string)rooms[1]!["bgmVolume"]!);
        // R8: the guest area, although second in the list.
        Assert.Equal(2200, (double)s["entryPosition"]!["x"]!);
    }

    [Fact]
    public async Task The_GET_body_can_be_sent_back_unchanged()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsecho");
        var admin = await site.Admin();
        var (s, etag) = await SettingsHttp.Get(admin, site, room);

        await Http.Ensure(await SettingsHttp.Put(admin, site, room, s.ToJsonString(), etag));

        var (again, _) = await SettingsHttp.Get(admin, site, room);
        Assert.True(JsonNode.DeepEquals(s, again), again.ToJsonString());
    }

    [Fact]
    public async Task Two_admins_editing_at_once_do_not_lose_a_change_silently()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsrace");
        var admin = await site.Admin();
        var (_, etag) = await SettingsHttp.Get(admin, site, room);

        await Http.Ensure(await SettingsHttp.Put(admin, site, room, new { sound = new { voiceReach = 111, entryChimeVolume = 1, doorVolume = 1 } }, etag));
        var stale = await SettingsHttp.Put(admin, site, room, new { sound = new { voiceReach = 999, entryChimeVolume = 9, doorVolume = 9 } }, etag);

        await Http.AssertProblem(stale, 412, "conflict");
        var (s, _) = await SettingsHttp.Get(admin, site, room);
        Assert.Equal(111, (int)s["sound"]!["voiceReach"]!);
        await Http.AssertProblem(await SettingsHttp.Put(admin, site, room, new { sound = new { voiceReach = 5, entryChimeVolume = 9, doorVolume = 9 } }, null), 428, "validation");
    }

    [Fact]
    public async Task Domains_the_site_adds_later_appear_unchecked_and_dropped_ones_can_only_be_unchecked()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsdom");
        var admin = await site.Admin();
        var (_, etag) = await SettingsHttp.Get(admin, site, room);
        await Http.Ensure(await SettingsHttp.Put(admin, site, room, new { entry = new { domains = new[] { "partner.example" } } }, etag));

        await Http.Ensure(await admin.Patch(site.Api("admin/site"), new { allowDomainNames = new[] { "rsdom.example", "new.example" } }));
        var (s, etag2) = await SettingsHttp.Get(admin, site, room);

        var choices = s["entry"]!["domains"]!.AsArray().Select(d => ((string)d!["domain"]!, (bool)d["checked"]!, (bool)d["retired"]!)).ToList();
        Assert.Equal([("rsdom.example", false, false), ("new.example", false, false), ("partner.example", true, true)], choices);
        // The unchanged view can be saved back; a retired domain cannot be added to another room.
        await Http.Ensure(await SettingsHttp.Put(admin, site, room, s.ToJsonString(), etag2));
        var space = await site.AddSpace("別");
        var otherRoom = await site.AddRoom(space);
        var (_, otherEtag) = await SettingsHttp.Get(admin, site, otherRoom);
        await Http.AssertProblem(await SettingsHttp.Put(admin, site, otherRoom, new { entry = new { domains = new[] { "partner.example" } } }, otherEtag), 400, "validation");
        // Unchecking it opens the room to every member again.
        var (_, etag3) = await SettingsHttp.Get(admin, site, room);
        var saved = await Http.Ensure<JsonElement>(await SettingsHttp.Put(admin, site, room, new { entry = new { domains = Array.Empty<string>() } }, etag3));
        Assert.All(saved.GetProperty("entry").GetProperty("domains").EnumerateArray(), d => Assert.False(d.GetProperty("checked").GetBoolean()));
        Assert.Equal(2, saved.GetProperty("entry").GetProperty("domains").GetArrayLength());
    }

    [Fact]
    public async Task Unknown_emails_are_reported_by_name_and_nothing_changes()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsmail");
        var admin = await site.Admin();
        var (_, etag) = await SettingsHttp.Get(admin, site, room);

        var response = await SettingsHttp.Put(admin, site, room,
            new { entry = new { users = "taro@rsmail.example,\tnobody@rsmail.example\nhanako@partner.example\r\nghost@partner.example" } }, etag);

        var problem = await Http.AssertProblem(response, 400, "validation");
        Assert.Equal(["nobody@rsmail.example", "ghost@partner.example"], problem.GetProperty("unknownEmails").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(etag, (await SettingsHttp.Get(admin, site, room)).ETag);
    }

    [Fact]
    public async Task A_listed_member_deleted_later_does_not_block_saving_the_view_back()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsgone");
        var admin = await site.Admin();
        var (_, etag) = await SettingsHttp.Get(admin, site, room);
        await Http.Ensure(await SettingsHttp.Put(admin, site, room, new { entry = new { users = "taro@rsgone.example" } }, etag));
        await Http.Ensure(await admin.PostAsJsonAsync(site.Api("admin/members/delete"), new { emails = new[] { "taro@rsgone.example" } }));
        var (s, etag2) = await SettingsHttp.Get(admin, site, room);

        await Http.Ensure(await SettingsHttp.Put(admin, site, room, s.ToJsonString(), etag2));

        Assert.Equal(["taro@rsgone.example"], (await SettingsHttp.Get(admin, site, room)).Body["entry"]!["users"]!.AsArray().Select(u => (string)u!));
    }

    public static TheoryData<string> InvalidBodies => new()
    {
        """{"meetingRooms":[{"name":"外","x":4500,"y":0,"width":400,"height":100}]}""",
        """{"meetingRooms":[{"name":"負","x":-1,"y":0,"width":10,"height":10}]}""",
        """{"meetingRooms":[{"name":"幅","x":0,"y":0,"width":0,"height":10}]}""",
        """{"meetingRooms":[{"name":"","x":0,"y":0,"width":10,"height":10}]}""",
        """{"meetingRooms":[{"name":"音","x":0,"y":0,"width":10,"height":10,"audioMode":"loud"}]}""",
        """{"meetingRooms":[{"name":"音","x":0,"y":0,"width":10,"height":10,"bgmVolume":"max"}]}""",
        """{"meetingRooms":[{"name":"B","x":0,"y":0,"width":10,"height":10,"bgm":{"kind":"url","url":"http://plain.example/a.mp3"}}]}""",
        """{"meetingRooms":[{"name":"B","x":0,"y":0,"width":10,"height":10,"bgm":{"kind":"url","url":"javascript:alert(1)"}}]}""",
        """{"meetingRooms":[{"name":"B","x":0,"y":0,"width":10,"height":10,"bgm":{"kind":"uploaded"}}]}""",
        """{"meetingRooms":[{"id":"a","name":"A","x":0,"y":0,"width":10,"height":10},{"id":"a","name":"B","x":0,"y":0,"width":10,"height":10}]}""",
        """{"meetingRooms":[{"id":"a b","name":"A","x":0,"y":0,"width":10,"height":10}]}""",
        """{"meetingRooms":[{"name":"A","x":0,"y":0,"width":10,"height":10,"onclick":"x"}]}""",
        """{"meetingRooms":{}}""",
        """{"scale":{"minimum":{"mode":"fixed","percent":120},"entry":{"mode":"fit-height"}}}""",
        """{"scale":{"minimum":{"mode":"fit-height"},"entry":{"mode":"fixed","percent":151}}}""",
        """{"scale":{"minimum":{"mode":"fit-height"},"entry":{"mode":"zoom"}}}""",
        """{"scale":{"minimum":{"mode":"fit-height","percent":50},"entry":{"mode":"fit-height"}}}""",
        """{"sound":{"voiceReach":10,"entryChimeVolume":50,"doorVolume":50}}""",
        """{"sound":{"voiceReach":300,"entryChimeVolume":101,"doorVolume":50}}""",
        """{"sound":{"voiceReach":300,"entryChimeVolume":50}}""",
        """{"entry":{"domains":["evil.example"]}}""",
        """{"entry":{"domains":"partner.example"}}""",
        """{"theme":"dark"}""",
        """[]""",
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task An_invalid_setting_is_refused_naming_the_field_and_nothing_changes(string body)
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsbad" + Interlocked.Increment(ref _sites));
        var admin = await site.Admin();
        var (_, etag) = await SettingsHttp.Get(admin, site, room);

        await Http.AssertProblem(await SettingsHttp.Put(admin, site, room, body, etag), 400, "validation");

        Assert.Equal(etag, (await SettingsHttp.Get(admin, site, room)).ETag);
    }

    [Theory]
    [InlineData("nameStyle", "color", "url(javascript:alert(1))")]
    [InlineData("areaStyle", "background", "url(https://evil.example/track.png)")]
    [InlineData("areaStyle", "width", "expression(alert(document.cookie))")]
    [InlineData("nameStyle", "color", "red;position:fixed")]
    [InlineData("areaStyle", "position", "fixed")]
    [InlineData("nameStyle", "fontFamily", "x</style><script>alert(1)</script>")]
    [InlineData("areaStyle", "background", "\\75rl(x)")]
    public async Task Style_injection_is_refused(string which, string property, string value)
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsinj" + Interlocked.Increment(ref _sites));
        var admin = await site.Admin();
        var (_, etag) = await SettingsHttp.Get(admin, site, room);
        var meetingRoom = new JsonObject { ["name"] = "A", ["x"] = 0, ["y"] = 0, ["width"] = 10, ["height"] = 10, [which] = new JsonObject { [property] = value } };

        var response = await SettingsHttp.Put(admin, site, room, new JsonObject { ["meetingRooms"] = new JsonArray(meetingRoom) }.ToJsonString(), etag);

        await Http.AssertProblem(response, 400, "validation");
        Assert.Equal(etag, (await SettingsHttp.Get(admin, site, room)).ETag);
    }

    [Fact]
    public async Task An_uploaded_background_sets_the_room_size_and_replaces_the_old_one()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsbg");
        var admin = await site.Admin();
        var png = TestMedia.Png(3000, 2000);

        var first = await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/background"), png, "application/octet-stream");

        var s = JsonNode.Parse(await Http.Ensure<JsonElement>(first) is var e ? e.GetRawText() : "")!;
        Assert.Equal((3000, 2000), ((int)s["background"]!["width"]!, (int)s["background"]!["height"]!));
        Assert.Equal("image/png", (string)s["background"]!["contentType"]!);
        var served = await (await site.As("taro@rsbg.example")).GetAsync(site.Api($"rooms/{room}/background"));
        await Http.Ensure(served);
        Assert.Equal("image/png", served.Content.Headers.ContentType!.MediaType);
        Assert.Equal(png, await served.Content.ReadAsByteArrayAsync());
        Assert.Single(await SettingsHttp.Blobs(app, site, room));

        var jpeg = TestMedia.Jpeg(1000, 800);
        var second = await Http.Ensure<JsonElement>(await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/background"), jpeg, "image/png"));

        Assert.Equal(1000, second.GetProperty("background").GetProperty("width").GetInt32());
        // The guest area (2100,1125 600x500 by default) was pulled back inside the smaller background.
        var guest = second.GetProperty("meetingRooms")[0];
        Assert.True(guest.GetProperty("x").GetInt32() + guest.GetProperty("width").GetInt32() <= 1000);
        Assert.True(guest.GetProperty("y").GetInt32() + guest.GetProperty("height").GetInt32() <= 800);
        Assert.Equal(jpeg, await admin.GetByteArrayAsync(site.Api($"rooms/{room}/background")));
        Assert.Single(await SettingsHttp.Blobs(app, site, room));
    }

    [Fact]
    public async Task A_text_file_named_png_and_a_PNG_named_mp3_are_refused_and_nothing_changes()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsspoof");
        var admin = await site.Admin();
        var (s, etag) = await SettingsHttp.Get(admin, site, room);
        var mid = (string)s["meetingRooms"]![0]!["id"]!;

        await Http.AssertProblem(await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/background"), "hello, I am background.png"u8.ToArray(), "image/png"), 400, "file-invalid");
        await Http.AssertProblem(await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/meeting-rooms/{mid}/bgm"), TestMedia.Png(400, 400), "audio/mpeg"), 400, "file-invalid");
        await Http.AssertProblem(await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/background"), [], "image/png"), 400, "file-invalid");

        Assert.Equal(etag, (await SettingsHttp.Get(admin, site, room)).ETag);
        Assert.Empty(await SettingsHttp.Blobs(app, site, room));
    }

    [Fact]
    public async Task A_background_over_10_MB_is_refused_as_too_large()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsbig");
        var admin = await site.Admin();
        var big = new byte[10 * 1024 * 1024 + 1];
        TestMedia.Png(3000, 2000).CopyTo(big, 0);

        await Http.AssertProblem(await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/background"), big, "image/png"), 413, "too-large");

        Assert.Empty(await SettingsHttp.Blobs(app, site, room));
    }

    [Fact]
    public async Task An_uploaded_BGM_is_served_and_removed_when_replaced_by_a_URL()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsbgm");
        var admin = await site.Admin();
        var (s, _) = await SettingsHttp.Get(admin, site, room);
        var mid = (string)s["meetingRooms"]![0]!["id"]!;
        var mp3 = TestMedia.Mp3(id3: true);

        var saved = await Http.Ensure<JsonElement>(await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/meeting-rooms/{mid}/bgm"), mp3, "audio/mpeg"));

        Assert.Equal("uploaded", saved.GetProperty("meetingRooms")[0].GetProperty("bgm").GetProperty("kind").GetString());
        Assert.Equal(mp3, await (await site.As("taro@rsbgm.example")).GetByteArrayAsync(site.Api($"rooms/{room}/meeting-rooms/{mid}/bgm")));
        await Http.AssertProblem(await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/meeting-rooms/nosuch/bgm"), mp3, "audio/mpeg"), 404, "not-found");
        Assert.Single(await SettingsHttp.Blobs(app, site, room));

        // Sending the view back keeps the upload; switching to a URL removes the blob.
        var (view, etag) = await SettingsHttp.Get(admin, site, room);
        await Http.Ensure(await SettingsHttp.Put(admin, site, room, view.ToJsonString(), etag));
        Assert.Single(await SettingsHttp.Blobs(app, site, room));
        (view, etag) = await SettingsHttp.Get(admin, site, room);
        view["meetingRooms"]![0]!["bgm"] = new JsonObject { ["kind"] = "url", ["url"] = "https://cdn.example/a.mp3" };
        await Http.Ensure(await SettingsHttp.Put(admin, site, room, view.ToJsonString(), etag));
        Assert.Empty(await SettingsHttp.Blobs(app, site, room));
    }

    [Fact]
    public async Task Another_sites_room_is_not_found()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rsown");
        var (other, _, _) = await SettingsHttp.NewSite(app, "rsother");
        var otherAdmin = await other.Admin();

        await Http.AssertProblem(await otherAdmin.GetAsync(other.Api($"rooms/{room}/settings")), 404, "not-found");
        await Http.AssertProblem(await otherAdmin.GetAsync(other.Api($"rooms/{room}/background")), 404, "not-found");
        await Http.AssertProblem(await otherAdmin.GetAsync(other.Api($"rooms/{room}/export")), 404, "not-found");
    }

    [Fact]
    public async Task Purging_a_room_removes_its_settings_and_media()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rspurge");
        var admin = await site.Admin();
        await Http.Ensure(await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/background"), TestMedia.Png(1000, 1000), "image/png"));
        var siteId = await SettingsHttp.SiteId(app, site);
        var store = app.Services.GetRequiredService<IDocumentStore>();
        Assert.NotNull(await store.Get<JsonElement>(siteId, "roomSettings", room, CancellationToken.None));

        await Http.Ensure(await admin.DeleteAsync(site.Api($"rooms/{room}")));
        await Http.Ensure(await admin.DeleteAsync(site.Api($"trash/{room}")));

        Assert.Null(await store.Get<JsonElement>(siteId, "roomSettings", room, CancellationToken.None));
        Assert.Empty(await SettingsHttp.Blobs(app, site, room));
    }
}
