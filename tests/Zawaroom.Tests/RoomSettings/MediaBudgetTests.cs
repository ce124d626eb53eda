using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.RoomSettings;

/// <summary>With a .zawa limit of 1 MB + 4,000 bytes a room may hold 3,000 bytes of media.</summary>
public sealed class MediaBudgetTests : IAsyncLifetime
{
    readonly TestApp _app = new TestApp().With("Zawaroom:RoomSettings:MaxZawaBytes", (1024 * 1024 + 4000).ToString());

    public Task InitializeAsync() => _app.InitializeAsync();
    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task A_room_never_holds_more_media_than_one_importable_room_file()
    {
        var (site, _, room) = await SettingsHttp.NewSite(_app, "budget");
        var admin = await site.Admin();
        var (s, etag) = await SettingsHttp.Get(admin, site, room);
        s["meetingRooms"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject { ["id"] = "second", ["name"] = "B", ["x"] = 0, ["y"] = 0, ["width"] = 10, ["height"] = 10 });
        await Http.Ensure(await SettingsHttp.Put(admin, site, room, s.ToJsonString(), etag));
        var bgm = site.Api($"rooms/{room}/meeting-rooms/guest-area/bgm");

        await Http.AssertProblem(await SettingsHttp.PutBytes(admin, bgm, TestMedia.Mp3(frames: 10), "audio/mpeg"), 413, "too-large");
        await Http.Ensure(await SettingsHttp.PutBytes(admin, bgm, TestMedia.Mp3(frames: 5), "audio/mpeg"));
        // Replacing counts the new file, not the old one as well.
        await Http.Ensure(await SettingsHttp.PutBytes(admin, bgm, TestMedia.Mp3(frames: 6), "audio/mpeg"));
        await Http.AssertProblem(await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/meeting-rooms/second/bgm"), TestMedia.Mp3(frames: 3), "audio/mpeg"), 413, "too-large");

        var file = await (await admin.GetAsync(site.Api($"rooms/{room}/export"))).Content.ReadAsByteArrayAsync();
        await Http.Ensure(await SettingsHttp.Import(admin, site, await site.AddRoom(await site.AddSpace("別")), file));
    }
}
