using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Logs;
using Zawaroom.Presence;
using System.Text.Json.Nodes;
using Zawaroom.Tests.RoomSettings;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

/// <summary>L1 with R3 and R8 as an admin sets them: entering reads the room's real settings.</summary>
public sealed class EntryPermissionThroughSettingsTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Only_members_on_the_rooms_entry_list_get_in_and_they_appear_in_the_guest_area()
    {
        var site = await app.CreateSite("entrylist");
        await site.AddMember("alice@corp.example");
        await site.AddMember("bob@corp.example");
        await site.AddMember("carol@corp.example");
        var room = await site.AddRoom(await site.AddSpace());
        var admin = await site.Admin();
        var (settings, etag) = await SettingsHttp.Get(admin, site, room);
        settings["entry"]!["users"] = new JsonArray("alice@corp.example", "carol@corp.example");
        await Http.Ensure(await SettingsHttp.Put(admin, site, room, settings.ToJsonString(), etag));

        var bob = await site.As("bob@corp.example");
        await Http.AssertProblem(await bob.PostAsync(site.Api($"rooms/{room}/enter"), null), 403, "entry-denied");

        var alice = await site.As("alice@corp.example");
        var entered = await Http.Ensure<JsonElement>(await alice.PostAsync(site.Api($"rooms/{room}/enter"), null));
        Assert.Equal(JsonValueKind.String, entered.GetProperty("negotiate").GetProperty("accessToken").ValueKind);
        var guestArea = settings["meetingRooms"]!.AsArray().Single(m => (string?)m!["name"] == "ゲストエリア")!;
        await using var aliceLive = await LiveClient.Enter(site, "alice@corp.example", room);
        await using var carolLive = await LiveClient.Enter(site, "carol@corp.example", room);
        var carol = await aliceLive.Next("entered", e => e.GetProperty("email").GetString() == "carol@corp.example");
        Assert.Equal((string?)guestArea["id"], carol.GetProperty("meetingRoomId").GetString());
    }

    static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    static async Task OnlyAllow(TestSite site, string room, params string[] users)
    {
        var admin = await site.Admin();
        var (settings, etag) = await SettingsHttp.Get(admin, site, room);
        settings["entry"]!["users"] = new JsonArray(users.Select(u => (JsonNode)u).ToArray());
        await Http.Ensure(await SettingsHttp.Put(admin, site, room, settings.ToJsonString(), etag));
    }

    async Task<string> SiteId(TestSite site) =>
        (await Http.Ensure<JsonElement>(await (await site.Admin()).GetAsync(site.Api("me")))).GetProperty("siteId").GetString()!;

    [Fact]
    public async Task A_placed_image_is_seen_only_by_who_may_enter_and_is_gone_with_a_trashed_room()
    {
        var site = await app.CreateSite("entryimg");
        await site.AddMember("alice@img.example");
        await site.AddMember("bob@img.example");
        var room = await site.AddRoom(await site.AddSpace());
        await using var alice = await LiveClient.Enter(site, "alice@img.example", room);
        var aliceHttp = await site.As("alice@img.example");
        var placed = await Http.Ensure<JsonElement>(await aliceHttp.PostAsync(site.Api($"rooms/{room}/images?cid=i1"),
            new ByteArrayContent(Png) { Headers = { ContentType = new("image/png") } }));
        var url = placed.GetProperty("url").GetString()!;
        var bobHttp = await site.As("bob@img.example");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await bobHttp.GetAsync(url)).StatusCode);
        await alice.Invoke("Leave", new { }); // an occupied room's settings cannot change (P3)

        await OnlyAllow(site, room, "alice@img.example");
        await Http.AssertProblem(await bobHttp.GetAsync(url), 403, "entry-denied");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await aliceHttp.GetAsync(url)).StatusCode);

        await Http.Ensure(await (await site.Admin()).DeleteAsync(site.Api($"rooms/{room}")));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await aliceHttp.GetAsync(url)).StatusCode);
    }
}
