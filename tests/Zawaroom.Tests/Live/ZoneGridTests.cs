using Zawaroom.Live;

namespace Zawaroom.Tests.Live;

public sealed class ZoneGridTests
{
    static readonly ZoneGrid Grid = new(800);
    static readonly RoomGeometry Room = RoomGeometry.Default;

    [Fact]
    public void A_full_hd_viewport_in_the_middle_covers_a_few_zones_not_the_room()
    {
        var zones = Grid.Covering(Grid.DefaultViewAround(2400, 1375), 0, Room);

        // 4,800 x 2,750 in zones of 800 is 6 x 4 = 24 zones; a full-HD viewport there overlaps 4 x 2 of them.
        Assert.Equal(8, zones.Count);
        Assert.Contains(Grid.ZoneOf(2400, 1375), zones);
        Assert.DoesNotContain((0, 0), zones);
    }

    [Fact]
    public void The_voice_reach_widens_what_a_client_listens_to()
    {
        var corner = new Area(0, 0, 700, 700);

        Assert.Single(Grid.Covering(corner, 0, Room));
        Assert.Equal(4, Grid.Covering(corner, 300, Room).Count);
    }

    [Fact]
    public void A_viewport_past_the_edge_is_clipped_to_the_room()
    {
        var zones = Grid.Covering(new Area(4000, 2000, 5000, 5000), 0, Room);

        Assert.All(zones, z => Assert.True(z.Column <= 6 && z.Row <= 3));
        Assert.Equal((6, 3), Grid.ZoneOf(4800, 2750));
    }

    [Fact]
    public void Meeting_rooms_are_found_by_position()
    {
        var room = Room with { MeetingRooms = [new MeetingArea("m1", "会議室A", new Area(100, 100, 400, 300))] };

        Assert.Equal("会議室A", room.MeetingRoomAt(150, 150)?.Name);
        Assert.Null(room.MeetingRoomAt(600, 150));
        Assert.Equal(new Point(4800, 0), room.Clamp(9999, -5));
    }
}
