namespace Zawaroom.Live;

/// <summary>
/// The grid over the background that fan-out uses: a move is sent to its zone's group, and a
/// client listens to the zones its viewport (widened by the voice reach) covers. So the cost of a
/// move grows with the people who can see it, not with the size of the room.
/// </summary>
public sealed record ZoneGrid(double ZoneSize)
{
    public const double DefaultZoneSize = 800;

    /// <summary>A client with no viewport yet watches a full-HD window around its own position.</summary>
    public const double DefaultViewportWidth = 1920, DefaultViewportHeight = 1080;

    public (int Column, int Row) ZoneOf(double x, double y) => ((int)Math.Floor(Math.Max(0, x) / ZoneSize), (int)Math.Floor(Math.Max(0, y) / ZoneSize));

    /// <summary>Zones overlapped by the area widened by <paramref name="margin"/>, within the room.</summary>
    public IReadOnlySet<(int Column, int Row)> Covering(Area view, double margin, RoomGeometry room)
    {
        var left = Math.Clamp(view.X - margin, 0, room.Width);
        var top = Math.Clamp(view.Y - margin, 0, room.Height);
        var right = Math.Clamp(view.X + view.Width + margin, 0, room.Width);
        var bottom = Math.Clamp(view.Y + view.Height + margin, 0, room.Height);
        var (c0, r0) = ZoneOf(left, top);
        var (c1, r1) = ZoneOf(right, bottom);
        var zones = new HashSet<(int, int)>();
        for (var c = c0; c <= c1; c++)
            for (var r = r0; r <= r1; r++)
                zones.Add((c, r));
        return zones;
    }

    public Area DefaultViewAround(double x, double y) =>
        new(x - DefaultViewportWidth / 2, y - DefaultViewportHeight / 2, DefaultViewportWidth, DefaultViewportHeight);
}

public static class Groups
{
    public static string Room(string siteId, string roomId) => $"room|{siteId}|{roomId}";
    public static string Zone(string siteId, string roomId, (int Column, int Row) zone) => $"zone|{siteId}|{roomId}|{zone.Column}|{zone.Row}";
}
