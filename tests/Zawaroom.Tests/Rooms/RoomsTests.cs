using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Zawaroom.Presence;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Rooms;

public sealed class RoomsTests(TestApp app) : IClassFixture<TestApp>
{
    static string Sub() => "r" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_stale_If_Match_is_refused_and_the_first_edit_survives()
    {
        var site = await app.CreateSite(Sub());
        var room = await site.AddRoom(await site.AddSpace());
        var admin = await site.Admin();
        var read = await admin.GetAsync(site.Api($"rooms/{room}"));
        var etag = read.Headers.ETag!.Tag;

        await Http.Ensure(await admin.Patch(site.Api($"rooms/{room}"), new { name = "第一会議室" }, etag));
        var second = await admin.Patch(site.Api($"rooms/{room}"), new { name = "上書き" }, etag);

        await Http.AssertProblem(second, 412, "conflict");
        var now = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api($"rooms/{room}")));
        Assert.Equal("第一会議室", now.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Room_admins_must_be_registered_members_and_unknown_ones_are_named()
    {
        var site = await app.CreateSite(Sub());
        var room = await site.AddRoom(await site.AddSpace());
        await site.AddMember("known@corp.example");

        var response = await (await site.Admin()).Patch(site.Api($"rooms/{room}"), new { roomAdmins = "known@corp.example, ghost@corp.example" });

        var problem = await Http.AssertProblem(response, 400, "validation");
        Assert.Equal("ghost@corp.example", problem.GetProperty("unknownEmails")[0].GetString());
        var now = await Http.Ensure<JsonElement>(await (await site.Admin()).GetAsync(site.Api($"rooms/{room}")));
        Assert.Equal(0, now.GetProperty("roomAdmins").GetArrayLength());
    }

    [Fact]
    public async Task A_room_admin_edits_their_room_but_not_another()
    {
        var site = await app.CreateSite(Sub());
        var space = await site.AddSpace();
        var mine = await site.AddRoom(space, "A");
        var other = await site.AddRoom(space, "B");
        await site.AddMember("ra@corp.example");
        await site.MakeRoomAdmin(mine, "ra@corp.example");
        var roomAdmin = await site.As("ra@corp.example");

        await Http.Ensure(await roomAdmin.Patch(site.Api($"rooms/{mine}"), new { description = "私の部屋" }));
        await Http.AssertProblem(await roomAdmin.Patch(site.Api($"rooms/{other}"), new { description = "x" }), 403, "forbidden");
        var me = await Http.Ensure<JsonElement>(await roomAdmin.GetAsync(site.Api("me")));
        Assert.Equal(mine, me.GetProperty("roomAdminOf")[0].GetString());
    }

    [Fact]
    public async Task Deleting_a_space_moves_its_rooms_to_the_trash_and_they_can_be_restored()
    {
        var site = await app.CreateSite(Sub());
        var admin = await site.Admin();
        var space = await site.AddSpace("旧館");
        var room = await site.AddRoom(space, "倉庫");
        var keep = await site.AddSpace("新館");

        await Http.Ensure(await admin.DeleteAsync(site.Api($"spaces/{space}")));
        var trash = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api("trash")));
        Assert.Equal(room, trash[0].GetProperty("id").GetString());
        await Http.AssertProblem(await admin.GetAsync(site.Api($"rooms/{room}")), 404, "not-found");

        var restored = await Http.Ensure<JsonElement>(await admin.PostAsync(site.Api($"trash/{room}/restore"), null));
        Assert.Equal(keep, restored.GetProperty("spaceId").GetString());
        var cards = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api($"spaces/{keep}/rooms")));
        Assert.Equal("倉庫", cards[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Purging_the_trash_removes_rooms_for_good()
    {
        var site = await app.CreateSite(Sub());
        var admin = await site.Admin();
        var space = await site.AddSpace();
        var room = await site.AddRoom(space);
        await Http.Ensure(await admin.DeleteAsync(site.Api($"rooms/{room}")));

        await Http.Ensure(await admin.DeleteAsync(site.Api("trash")));

        Assert.Equal(0, (await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api("trash")))).GetArrayLength());
        await Http.AssertProblem(await admin.PostAsync(site.Api($"trash/{room}/restore"), null), 404, "not-found");
    }

    [Theory]
    [InlineData("{\"name\": \"\"}")]
    [InlineData("{\"name\": \"   \"}")]
    [InlineData("{\"name\": 12}")]
    [InlineData("{\"name\": \"x\", \"unknown\": 1}")]
    [InlineData("{\"description\": [\"x\"]}")]
    [InlineData("{")]
    public async Task A_bad_room_patch_changes_nothing(string body)
    {
        var site = await app.CreateSite(Sub());
        var room = await site.AddRoom(await site.AddSpace(), "元の名前");
        var admin = await site.Admin();

        var response = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Patch, site.Api($"rooms/{room}"))
            { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") });

        await Http.AssertProblem(response, 400, "validation");
        var now = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api($"rooms/{room}")));
        Assert.Equal("元の名前", now.GetProperty("name").GetString());
        Assert.Equal("", now.GetProperty("description").GetString());
    }
}

/// <summary>P3 and P4 with someone inside: a presence reader that says who is in which room.</summary>
public sealed class OccupiedRoomTests : IAsyncLifetime
{
    readonly TestApp _app = new();
    readonly Dictionary<string, List<Occupant>> _inside = new();

    sealed class Inside(Dictionary<string, List<Occupant>> inside) : IPresenceReader
    {
        public Task<IReadOnlyList<Occupant>> Occupants(string siteId, string roomId, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<Occupant>>(inside.TryGetValue(roomId, out var people) ? people : []);
    }

    public Task InitializeAsync()
    {
        _app.WithServices(s => { s.RemoveAll<IPresenceReader>(); s.AddSingleton<IPresenceReader>(new Inside(_inside)); });
        return _app.InitializeAsync();
    }

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task An_occupied_room_cannot_be_edited_or_deleted_and_its_card_shows_who_is_inside()
    {
        var site = await _app.CreateSite("occupied");
        var space = await site.AddSpace();
        var room = await site.AddRoom(space, "会議室A");
        var admin = await site.Admin();
        _inside[room] = [new Occupant("alice@corp.example", "Alice")];

        await Http.AssertProblem(await admin.Patch(site.Api($"rooms/{room}"), new { name = "改名" }), 409, "room-occupied");
        await Http.AssertProblem(await admin.DeleteAsync(site.Api($"rooms/{room}")), 409, "room-occupied");
        await Http.AssertProblem(await admin.DeleteAsync(site.Api($"spaces/{space}")), 409, "room-occupied");

        var cards = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api($"spaces/{space}/rooms")));
        Assert.Equal(1, cards[0].GetProperty("occupancy").GetInt32());
        Assert.Equal("alice@corp.example", cards[0].GetProperty("people")[0].GetProperty("email").GetString());
        Assert.Equal("会議室A", (await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api($"rooms/{room}")))).GetProperty("name").GetString());
    }
}
