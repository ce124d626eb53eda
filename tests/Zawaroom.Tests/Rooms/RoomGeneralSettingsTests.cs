using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Zawaroom.Presence;
using Zawaroom.Tests.RoomSettings;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Rooms;

/// <summary>R1 and U2: name, description, space, room admins.</summary>
public sealed class RoomGeneralSettingsTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Room_admins_given_as_comma_separated_text_can_then_edit_and_delete_that_room()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "r1admins");
        var admin = await site.Admin();
        await Http.Ensure(await admin.Patch(site.Api($"rooms/{room}"), new { roomAdmins = "taro@r1admins.example, hanako@partner.example" }));
        var taro = await site.As("taro@r1admins.example");

        var renamed = await Http.Ensure<JsonElement>(await taro.Patch(site.Api($"rooms/{room}"), new { name = "営業部", description = "2F" }));

        Assert.Equal("営業部", renamed.GetProperty("name").GetString());
        Assert.Equal(["taro@r1admins.example", "hanako@partner.example"], renamed.GetProperty("roomAdmins").EnumerateArray().Select(e => e.GetString()));
        await Http.Ensure(await taro.DeleteAsync(site.Api($"rooms/{room}")));
    }

    [Fact]
    public async Task Unknown_room_admin_emails_are_reported_not_dropped()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "r1unknown");
        var admin = await site.Admin();

        var problem = await Http.AssertProblem(await admin.Patch(site.Api($"rooms/{room}"), new { roomAdmins = "taro@r1unknown.example,ghost@r1unknown.example" }), 400, "validation");

        Assert.Equal(["ghost@r1unknown.example"], problem.GetProperty("unknownEmails").EnumerateArray().Select(e => e.GetString()));
        var current = await Http.Ensure<JsonElement>(await admin.GetAsync(site.Api($"rooms/{room}")));
        Assert.Empty(current.GetProperty("roomAdmins").EnumerateArray());
    }

    [Fact]
    public async Task A_user_who_is_not_a_room_admin_cannot_edit_the_room_or_its_settings()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "r1user");
        var user = await site.As("taro@r1user.example");
        var (_, etag) = await SettingsHttp.Get(user, site, room);

        await Http.AssertProblem(await user.Patch(site.Api($"rooms/{room}"), new { name = "x" }), 403, "forbidden");
        await Http.AssertProblem(await SettingsHttp.Put(user, site, room, new { }, etag), 403, "forbidden");
        await Http.AssertProblem(await SettingsHttp.PutBytes(user, site.Api($"rooms/{room}/background"), TestMedia.Png(500, 500), "image/png"), 403, "forbidden");
    }

    [Fact]
    public async Task Only_a_site_admin_moves_a_room_to_another_space()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "r1move");
        var other = await site.AddSpace("支社");
        await site.MakeRoomAdmin(room, "taro@r1move.example");
        var taro = await site.As("taro@r1move.example");

        await Http.AssertProblem(await taro.Patch(site.Api($"rooms/{room}"), new { spaceId = other }), 403, "forbidden");
        var moved = await Http.Ensure<JsonElement>(await (await site.Admin()).Patch(site.Api($"rooms/{room}"), new { spaceId = other }));

        Assert.Equal(other, moved.GetProperty("spaceId").GetString());
    }

    [Fact]
    public async Task A_stale_If_Match_on_the_room_is_refused()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "r1stale");
        var admin = await site.Admin();
        var etag = (await admin.GetAsync(site.Api($"rooms/{room}"))).Headers.ETag!.ToString();
        await Http.Ensure(await admin.Patch(site.Api($"rooms/{room}"), new { name = "一" }, etag));

        await Http.AssertProblem(await admin.Patch(site.Api($"rooms/{room}"), new { name = "二" }, etag), 412, "conflict");
    }
}

public sealed class OccupiedRoomGeneralTests : IAsyncLifetime
{
    readonly FakePresence _presence = new();
    readonly TestApp _app;

    public OccupiedRoomGeneralTests() =>
        _app = new TestApp().WithServices(s => { s.RemoveAll<IPresenceReader>(); s.AddSingleton<IPresenceReader>(_presence); });

    public Task InitializeAsync() => _app.InitializeAsync();
    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task A_room_with_someone_inside_cannot_be_renamed_or_deleted()
    {
        var (site, _, room) = await SettingsHttp.NewSite(_app, "r1busy");
        var admin = await site.Admin();
        _presence.Rooms.Add(room);

        await Http.AssertProblem(await admin.Patch(site.Api($"rooms/{room}"), new { name = "x" }), 409, "room-occupied");
        await Http.AssertProblem(await admin.DeleteAsync(site.Api($"rooms/{room}")), 409, "room-occupied");
    }
}
