using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Zawaroom.Identity;
using Zawaroom.Live;
using Zawaroom.Logs;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

public sealed class MeetingRoomTests : IClassFixture<MeetingRoomTests.LayoutApp>
{
    /// <summary>A room with a guest area at the entry position and one meeting room (R7, R8).</summary>
    public sealed class LayoutApp : IAsyncLifetime
    {
        public TestApp App { get; } = new TestApp().WithServices(s => s.AddSingleton<IRoomLayout>(new WithMeetingRooms()));
        public Task InitializeAsync() => App.InitializeAsync();
        public Task DisposeAsync() => ((IAsyncLifetime)App).DisposeAsync();
    }

    sealed class WithMeetingRooms : IRoomLayout
    {
        public Task<RoomGeometry> Geometry(string siteId, string roomId, CancellationToken ct) => Task.FromResult(RoomGeometry.Default with
        {
            EntryPosition = new Point(200, 200),
            MeetingRooms = [new MeetingArea("guest", "ゲストエリア", new Area(0, 0, 400, 400)), new MeetingArea("a", "会議室A", new Area(1000, 0, 400, 400))],
        });

        public Task<bool> MayEnter(string siteId, string roomId, Caller caller, CancellationToken ct) => Task.FromResult(true);
    }

    readonly TestApp _app;
    public MeetingRoomTests(LayoutApp fixture) => _app = fixture.App;

    [Fact]
    public async Task Walking_between_meeting_rooms_is_pushed_and_logged_with_the_subroom_name()
    {
        var site = await _app.CreateSite("meet");
        await site.AddMember("alice@meet.example");
        await site.AddMember("bob@meet.example");
        var room = await site.AddRoom(await site.AddSpace());
        await using var bob = await LiveClient.Enter(site, "bob@meet.example", room);
        await using var alice = await LiveClient.Enter(site, "alice@meet.example", room);
        var entered = await bob.Next("entered");
        Assert.Equal("guest", entered.Str("meetingRoomId"));

        await alice.Invoke("Move", new { x = 1100, y = 100 });
        var arrived = await bob.Next("event", e => e.Str("type") == "enter sub room");
        Assert.Equal("会議室A", arrived.Str("subroom"));
        await alice.Invoke("Message", new { text = "始めます", cid = "m1" });
        await bob.Next("event", e => e.Str("type") == "userMessage");

        var siteId = (await Http.Ensure<JsonElement>(await (await site.Admin()).GetAsync(site.Api("me")))).Str("siteId");
        var log = await _app.Services.GetRequiredService<IEventLog>()
            .Read(siteId, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None)
            .Where(e => e.Email == "alice@meet.example").ToListAsync();
        Assert.Equal(["enter room", "enter sub room", "leave sub room", "enter sub room", "userMessage"], log.Select(e => e.EventType));
        Assert.Equal(["ゲストエリア", "ゲストエリア", "会議室A", "会議室A"], log.Skip(1).Select(e => e.SubroomName));
    }
}
