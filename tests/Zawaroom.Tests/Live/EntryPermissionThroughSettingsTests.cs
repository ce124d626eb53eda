using System.Text.Json;
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
}
