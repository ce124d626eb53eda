using Zawaroom.Live;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live.Office;

/// <summary>L1 + issue 14: entrants are spread around the entry position, never two on one point.</summary>
public sealed class EntrySpreadTests(TestApp app) : IClassFixture<TestApp>
{
    static readonly RoomGeometry Office = new(4800, 2750, new Point(2400, 1375),
        [new MeetingArea("guest-area", "ゲストエリア", new Area(2100, 1125, 600, 500))], 300);

    [Fact]
    public void Eight_entrants_one_after_another_stand_apart_inside_the_guest_area()
    {
        var placed = new List<(double X, double Y)>();
        for (var i = 0; i < 8; i++)
        {
            var p = EntrySpread.Place(Office.EntryPosition, placed, Office);
            Assert.All(placed, o => Assert.True(double.Hypot(o.X - p.X, o.Y - p.Y) >= EntrySpread.Spacing * 0.9, $"entrant {i} at {p} is on top of {o}"));
            Assert.Equal("guest-area", Office.MeetingRoomAt(p.X, p.Y)?.Id);
            placed.Add((p.X, p.Y));
        }
        Assert.Equal((2400, 1375), placed[0]);
    }

    [Fact]
    public void A_full_guest_area_spills_over_into_the_room_and_never_off_the_background()
    {
        var small = Office with { MeetingRooms = [new MeetingArea("guest-area", "ゲストエリア", new Area(2300, 1275, 200, 200))], EntryPosition = new Point(2400, 1375) };
        var placed = new List<(double X, double Y)>();
        for (var i = 0; i < 30; i++)
        {
            var p = EntrySpread.Place(small.EntryPosition, placed, small);
            Assert.InRange(p.X, 0, 4800);
            Assert.InRange(p.Y, 0, 2750);
            Assert.DoesNotContain((p.X, p.Y), placed);
            placed.Add((p.X, p.Y));
        }
        Assert.Contains(placed, p => small.MeetingRoomAt(p.X, p.Y) is null);
    }

    [Fact]
    public async Task Three_people_entering_a_new_room_appear_on_three_different_points_of_its_guest_area()
    {
        var site = await app.CreateSite("spread");
        string[] emails = ["a@spread.example", "b@spread.example", "c@spread.example"];
        foreach (var e in emails) await site.AddMember(e);
        var room = await site.AddRoom(await site.AddSpace());
        await using var a = await LiveClient.Enter(site, emails[0], room);
        await using var b = await LiveClient.Enter(site, emails[1], room);
        await using var c = await LiveClient.Enter(site, emails[2], room);

        var snapshot = c.FirstSnapshot;
        var points = emails.Select(e => snapshot.Person(e)).Select(p => (X: p.GetProperty("x").GetDouble(), Y: p.GetProperty("y").GetDouble())).ToList();
        Assert.Equal(3, points.Distinct().Count());
        Assert.All(emails, e => Assert.Equal("guest-area", snapshot.Person(e).GetProperty("meetingRoomId").GetString()));
        Assert.Equal((2400d, 1375d), points[0]);
    }
}
