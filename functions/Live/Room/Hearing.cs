namespace Zawaroom.Live;

/// <summary>Where someone stands and how far their voice carries, as the hearing rule needs it.</summary>
public sealed record Listener(double X, double Y, double Reach, string? MeetingRoomId);

/// <summary>
/// L3, the hearing rule (the browser applies the same rule to choose whom to open WebRTC connections with).
/// A and B hear each other when
/// (a) both are outside every meeting room and their distance is at most max(reachA, reachB); or
/// (b) both are in the same meeting room and its audio mode is whole-room; or
/// (c) both are in the same meeting room, its audio mode is by-distance, and the distance is at most max(reachA, reachB).
/// Otherwise not: one inside and one outside, different meeting rooms, or audio mode none.
/// </summary>
public static class Hearing
{
    /// <summary>The server's slack on distance: positions it holds may be a few ticks old.</summary>
    public const double ServerSlack = 1.25;

    /// <summary>Whether A and B hear each other; <paramref name="slack"/> scales the allowed distance.</summary>
    public static bool CanHear(Listener a, Listener b, IReadOnlyList<MeetingArea> meetingRooms, double slack = 1.0)
    {
        if (a.MeetingRoomId != b.MeetingRoomId) return false;
        var withinReach = Math.Sqrt(Math.Pow(a.X - b.X, 2) + Math.Pow(a.Y - b.Y, 2)) <= Math.Max(a.Reach, b.Reach) * slack;
        if (a.MeetingRoomId is null) return withinReach;
        var audio = meetingRooms.FirstOrDefault(m => m.Id == a.MeetingRoomId)?.Audio ?? MeetingAudio.WholeRoom;
        return audio switch
        {
            MeetingAudio.WholeRoom => true,
            MeetingAudio.ByDistance => withinReach,
            _ => false,
        };
    }

    /// <summary>Why two people do not hear each other, for the refusal's text.</summary>
    public static string WhyNot(Listener a, Listener b, IReadOnlyList<MeetingArea> meetingRooms)
    {
        if (a.MeetingRoomId != b.MeetingRoomId)
            return a.MeetingRoomId is null || b.MeetingRoomId is null ? "one of you is inside a meeting room and the other is not" : "you are in different meeting rooms";
        if (a.MeetingRoomId is not null && meetingRooms.FirstOrDefault(m => m.Id == a.MeetingRoomId)?.Audio == MeetingAudio.None)
            return "this meeting room has no audio";
        return "you are out of each other's voice reach";
    }
}
