using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zawaroom.RoomSettings;

/// <summary>
/// The default office floor (R5, R7, R8) as the server needs it: the meeting rooms laid over the
/// rooms drawn on the default background, "ゲストエリア" first, at the entrance. The layout is
/// DefaultOffice.json (embedded), the same file static-web/scripts/office-floor.mjs draws the
/// floor from, so the meeting rooms and the drawing cannot drift apart.
/// </summary>
public static class DefaultOffice
{
    sealed record Layout(int Width, int Height, IReadOnlyList<Area> MeetingRooms);
    sealed record Area(string Id, string Name, int X, int Y, int Width, int Height,
        Dictionary<string, string>? NameStyle, Dictionary<string, string>? AreaStyle);

    static readonly Lazy<Layout> Loaded = new(() =>
    {
        using var stream = typeof(DefaultOffice).Assembly.GetManifestResourceStream("Zawaroom.RoomSettings.DefaultOffice.json")
            ?? throw new InvalidOperationException("DefaultOffice.json is not embedded in the app.");
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true, NumberHandling = JsonNumberHandling.Strict };
        return JsonSerializer.Deserialize<Layout>(stream, options) ?? throw new InvalidOperationException("DefaultOffice.json is empty.");
    });

    /// <summary>The meeting rooms of a new room: ゲストエリア at the entrance, then the meeting rooms drawn on the floor.</summary>
    public static IReadOnlyList<MeetingRoom> MeetingRooms() =>
        [.. Loaded.Value.MeetingRooms.Select(a => new MeetingRoom
        {
            Id = a.Id, Name = a.Name, X = a.X, Y = a.Y, Width = a.Width, Height = a.Height,
            NameStyle = a.NameStyle ?? [], AreaStyle = a.AreaStyle ?? [],
        })];
}
