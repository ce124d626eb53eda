using Zawaroom.Live;

namespace Zawaroom.Media;

/// <summary>Someone in the room as the media plan needs them.</summary>
public sealed record Hearer(string Email, Listener Where);

/// <summary>
/// L3 over an SFU: which people hear each other through Janus instead of peer to peer. The same
/// hearing rule as the signalling check (<see cref="Hearing"/>): a meeting room in "whole room" mode
/// is always one SFU group (everyone in it, however few); elsewhere (the open floor, a "by distance"
/// meeting room) the people who hear each other, directly or through someone in between, form a
/// group, and a group of at least the threshold goes through the SFU. "None" rooms have no audio at all.
/// </summary>
public static class MediaPlan
{
    /// <summary>The SFU groups of a room: a stable key each, and who is in it.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Groups(IReadOnlyList<Hearer> people, IReadOnlyList<MeetingArea> meetingRooms,
        int threshold, double slack = Hearing.ServerSlack)
    {
        var groups = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var area in people.GroupBy(p => p.Where.MeetingRoomId))
        {
            var audio = area.Key is null ? MeetingAudio.ByDistance : meetingRooms.FirstOrDefault(m => m.Id == area.Key)?.Audio ?? MeetingAudio.WholeRoom;
            if (audio == MeetingAudio.None) continue;
            if (audio == MeetingAudio.WholeRoom)
            {
                groups[$"meeting:{area.Key}"] = area.Select(p => p.Email).ToHashSet(StringComparer.Ordinal);
                continue;
            }
            foreach (var component in Components(area.ToList(), meetingRooms, slack))
                if (component.Count >= threshold)
                    // Keyed by its first member, so the group keeps its SFU room while people come and go around that member.
                    groups[$"near:{area.Key ?? "-"}:{component.Min(StringComparer.Ordinal)}"] = component;
        }
        return groups;
    }

    /// <summary>The member's SFU group, or null: peer to peer (or nobody to hear).</summary>
    public static KeyValuePair<string, IReadOnlySet<string>>? GroupOf(string email, IReadOnlyList<Hearer> people, IReadOnlyList<MeetingArea> meetingRooms,
        int threshold, double slack = Hearing.ServerSlack)
    {
        foreach (var group in Groups(people, meetingRooms, threshold, slack))
            if (group.Value.Contains(email)) return group;
        return null;
    }

    static List<HashSet<string>> Components(List<Hearer> people, IReadOnlyList<MeetingArea> meetingRooms, double slack)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<HashSet<string>>();
        foreach (var start in people)
        {
            if (!seen.Add(start.Email)) continue;
            var component = new HashSet<string>(StringComparer.Ordinal) { start.Email };
            var queue = new Queue<Hearer>([start]);
            while (queue.TryDequeue(out var a))
                foreach (var b in people)
                    if (!seen.Contains(b.Email) && Hearing.CanHear(a.Where, b.Where, meetingRooms, slack))
                    {
                        seen.Add(b.Email);
                        component.Add(b.Email);
                        queue.Enqueue(b);
                    }
            components.Add(component);
        }
        return components;
    }
}
