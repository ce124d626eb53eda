namespace Zawaroom.Live;

/// <summary>
/// L1: where an entrant appears. Everyone enters at the entry position (R8), but two people on one
/// point hide each other, so an entrant takes the nearest free spot around it: rings of spots
/// <see cref="Spacing"/> apart, kept inside the meeting room the entry position is in (entering
/// stays entering "ゲストエリア") while it has room, and inside the background always.
/// </summary>
public static class EntrySpread
{
    /// <summary>Centre to centre: an avatar with its name is about 60 px wide, and twice that when the room is zoomed out (stage.ts enlarges avatars).</summary>
    public const double Spacing = 130;
    const int MaxRings = 40;

    public static Point Place(Point entry, IEnumerable<(double X, double Y)> taken, RoomGeometry geometry)
    {
        var others = taken.ToList();
        bool Free(Point p) => others.All(o => double.Hypot(o.X - p.X, o.Y - p.Y) >= Spacing * 0.9);
        var area = geometry.MeetingRoomAt(entry.X, entry.Y)?.Bounds;
        const double margin = 30;
        bool Inside(Point p, Area? a) =>
            p.X >= margin && p.Y >= margin && p.X <= geometry.Width - margin && p.Y <= geometry.Height - margin
            && (a is null || (p.X >= a.X + margin && p.X <= a.X + a.Width - margin && p.Y >= a.Y + margin && p.Y <= a.Y + a.Height - margin));

        if (Free(entry)) return entry;
        foreach (var within in area is null ? new Area?[] { null } : [area, null])
            for (var ring = 1; ring <= MaxRings; ring++)
            {
                var spots = 6 * ring;
                for (var i = 0; i < spots; i++)
                {
                    // Start each ring at a different angle so the rings do not line up into spokes.
                    var angle = 2 * Math.PI * i / spots + ring * 0.5;
                    var p = new Point(Math.Round(entry.X + Math.Cos(angle) * Spacing * ring), Math.Round(entry.Y + Math.Sin(angle) * Spacing * ring));
                    if (Inside(p, within) && Free(p)) return p;
                }
            }
        return entry;
    }
}
