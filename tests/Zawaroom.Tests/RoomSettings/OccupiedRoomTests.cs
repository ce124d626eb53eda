using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Zawaroom.Presence;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.RoomSettings;

/// <summary>Someone is inside every room whose id is in <see cref="Rooms"/>.</summary>
public sealed class FakePresence : IPresenceReader
{
    public HashSet<string> Rooms { get; } = [];

    public Task<IReadOnlyList<Occupant>> Occupants(string siteId, string roomId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Occupant>>(Rooms.Contains(roomId) ? [new Occupant("someone@x.example", "誰か")] : []);
}

public sealed class OccupiedRoomTests : IAsyncLifetime
{
    readonly FakePresence _presence = new();
    readonly TestApp _app;

    public OccupiedRoomTests() =>
        _app = new TestApp().WithServices(s => { s.RemoveAll<IPresenceReader>(); s.AddSingleton<IPresenceReader>(_presence); });

    public Task InitializeAsync() => _app.InitializeAsync();
    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task A_room_with_someone_inside_cannot_have_its_settings_media_or_layout_changed()
    {
        var (site, _, room) = await SettingsHttp.NewSite(_app, "occupied");
        var admin = await site.Admin();
        var file = await (await admin.GetAsync(site.Api($"rooms/{room}/export"))).Content.ReadAsByteArrayAsync();
        var (s, etag) = await SettingsHttp.Get(admin, site, room);
        _presence.Rooms.Add(room);

        var problem = await Http.AssertProblem(await SettingsHttp.Put(admin, site, room, s.ToJsonString(), etag), 409, "room-occupied");
        Assert.Equal(1, problem.GetProperty("occupancy").GetInt32());
        await Http.AssertProblem(await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/background"), TestMedia.Png(1000, 1000), "image/png"), 409, "room-occupied");
        await Http.AssertProblem(await SettingsHttp.PutBytes(admin, site.Api($"rooms/{room}/meeting-rooms/guest-area/bgm"), TestMedia.Mp3(), "audio/mpeg"), 409, "room-occupied");
        await Http.AssertProblem(await SettingsHttp.Import(admin, site, room, file), 409, "room-occupied");

        // Reading still works while people are inside: the live room draws from it.
        Assert.Equal(etag, (await SettingsHttp.Get(admin, site, room)).ETag);
        Assert.Empty(await SettingsHttp.Blobs(_app, site, room));

        _presence.Rooms.Clear();
        await Http.Ensure(await SettingsHttp.Put(admin, site, room, s.ToJsonString(), etag));
    }
}
