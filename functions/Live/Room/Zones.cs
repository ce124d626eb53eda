namespace Zawaroom.Live;

/// <summary>
/// The grid over the background that fan-out uses: a client listens to the zones its viewport
/// (widened by the voice reach) covers, and a move goes to the clients whose zones hold it. So the
/// cost of a move grows with the people who can see it, not with the size of the room.
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

/// <summary>
/// The rectangle of zones one client watches (columns and rows inclusive). Clients with the same
/// rectangle share one group, so a tick sends each client ONE <c>moved</c> batch (not one per zone),
/// serialised once per rectangle: there are at most a few hundred rectangles in a room, however
/// many people are in it.
/// </summary>
public readonly record struct ZoneView(int Column0, int Row0, int Column1, int Row1)
{
    public bool Contains((int Column, int Row) zone) =>
        zone.Column >= Column0 && zone.Column <= Column1 && zone.Row >= Row0 && zone.Row <= Row1;

    /// <summary>The smallest rectangle holding the zones (what <see cref="ZoneGrid.Covering"/> gives is one); null for none.</summary>
    public static ZoneView? Of(IEnumerable<(int Column, int Row)> zones)
    {
        ZoneView? view = null;
        foreach (var (c, r) in zones)
            view = view is { } v ? new ZoneView(Math.Min(v.Column0, c), Math.Min(v.Row0, r), Math.Max(v.Column1, c), Math.Max(v.Row1, r)) : new ZoneView(c, r, c, r);
        return view;
    }
}

public static class Groups
{
    public static string Room(string siteId, string roomId) => $"room|{siteId}|{roomId}";
    /// <summary>The clients of a room that watch exactly this rectangle of zones.</summary>
    public static string View(string siteId, string roomId, ZoneView v) => $"view|{siteId}|{roomId}|{v.Column0}|{v.Row0}|{v.Column1}|{v.Row1}";
}
