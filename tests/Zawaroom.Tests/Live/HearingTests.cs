using Microsoft.AspNetCore.SignalR;
using Zawaroom.Live;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.Live;

/// <summary>L3: the hearing rule, branch by branch.</summary>
public sealed class HearingTests
{
    static readonly MeetingArea[] Rooms =
    [
        new("whole", "全体", new Area(0, 0, 1000, 1000), MeetingAudio.WholeRoom),
        new("near", "近く", new Area(2000, 0, 1000, 1000), MeetingAudio.ByDistance),
        new("mute", "無音", new Area(4000, 0, 1000, 1000), MeetingAudio.None),
    ];

    static Listener At(double x, double y, double reach = 300, string? room = null) => new(x, y, reach, room);

    [Fact]
    public void Outside_meeting_rooms_people_hear_each_other_within_the_larger_reach()
    {
        Assert.True(Hearing.CanHear(At(0, 0), At(300, 0), Rooms));
        Assert.False(Hearing.CanHear(At(0, 0), At(301, 0), Rooms));
        // The larger of the two reaches counts, whichever side has it.
        Assert.True(Hearing.CanHear(At(0, 0, reach: 100), At(0, 500, reach: 500), Rooms));
        Assert.True(Hearing.CanHear(At(0, 500, reach: 500), At(0, 0, reach: 100), Rooms));
    }

    [Fact]
    public void The_server_allows_a_quarter_more_distance()
    {
        Assert.True(Hearing.CanHear(At(0, 0), At(375, 0), Rooms, Hearing.ServerSlack));
        Assert.False(Hearing.CanHear(At(0, 0), At(376, 0), Rooms, Hearing.ServerSlack));
    }

    [Fact]
    public void In_a_whole_room_meeting_room_everyone_hears_everyone()
    {
        Assert.True(Hearing.CanHear(At(10, 10, room: "whole"), At(990, 990, room: "whole"), Rooms));
    }

    [Fact]
    public void In_a_by_distance_meeting_room_the_reach_counts()
    {
        Assert.True(Hearing.CanHear(At(2000, 0, room: "near"), At(2300, 0, room: "near"), Rooms));
        Assert.False(Hearing.CanHear(At(2000, 0, room: "near"), At(2900, 0, room: "near"), Rooms));
    }

    [Fact]
    public void In_a_meeting_room_without_audio_nobody_hears()
    {
        Assert.False(Hearing.CanHear(At(4000, 0, room: "mute"), At(4001, 0, room: "mute"), Rooms));
        Assert.Contains("no audio", Hearing.WhyNot(At(4000, 0, room: "mute"), At(4001, 0, room: "mute"), Rooms));
    }

    [Fact]
    public void One_inside_and_one_outside_or_different_meeting_rooms_do_not_hear()
    {
        Assert.False(Hearing.CanHear(At(999, 10, room: "whole"), At(1001, 10), Rooms));
        Assert.False(Hearing.CanHear(At(1001, 10), At(999, 10, room: "whole"), Rooms));
        Assert.False(Hearing.CanHear(At(10, 10, room: "whole"), At(2010, 10, room: "near", reach: 5000), Rooms));
    }
}

