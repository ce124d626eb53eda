using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.RoomSettings;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.RoomSettings;

public sealed class RoomSettingsContractTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task The_OpenAPI_document_lists_the_room_settings_routes_of_API_md()
    {
        var doc = await Http.Ensure<JsonElement>(await app.Anonymous().GetAsync("/openapi.json"));
        var paths = doc.GetProperty("paths");

        Assert.True(paths.GetProperty("/api/rooms/{id}/settings").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/rooms/{id}/settings").TryGetProperty("put", out _));
        Assert.True(paths.GetProperty("/api/rooms/{id}/background").TryGetProperty("put", out _));
        Assert.True(paths.GetProperty("/api/rooms/{id}/meeting-rooms/{mid}/bgm").TryGetProperty("put", out _));
        Assert.True(paths.GetProperty("/api/rooms/{id}/export").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/rooms/{id}/import").TryGetProperty("post", out _));
    }

    [Fact]
    public async Task The_live_room_reads_entry_permission_and_position_from_the_store()
    {
        var (site, _, room) = await SettingsHttp.NewSite(app, "rslive");
        var admin = await site.Admin();
        var (_, etag) = await SettingsHttp.Get(admin, site, room);
        await Http.Ensure(await SettingsHttp.Put(admin, site, room, SettingsHttp.Layout("rslive"), etag));
        var store = app.Services.GetRequiredService<RoomSettingsStore>();
        var siteId = await SettingsHttp.SiteId(app, site);

        Assert.True(await store.MayEnter(siteId, room, "hanako@partner.example", CancellationToken.None));
        Assert.True(await store.MayEnter(siteId, room, "taro@rslive.example", CancellationToken.None));
        Assert.False(await store.MayEnter(siteId, room, "admin@rslive.example", CancellationToken.None));
        Assert.Equal(new Point(2200, 1150), await store.EntryPositionOf(siteId, room, CancellationToken.None));
    }
}
