namespace Zawaroom.RoomSettings;

/// <summary>
/// The layout and entry settings of one room (R3-R8), one document per room: kind "roomSettings",
/// id = room id, in the site's partition. Blob names stay inside; the API shows views of them.
/// </summary>
public sealed record RoomSettingsDocument
{
    public EntrySettings Entry { get; init; } = new();
    public SoundSettings Sound { get; init; } = new();
    public BackgroundSettings Background { get; init; } = new();
    public ScaleSettings Scale { get; init; } = new();
    public IReadOnlyList<MeetingRoom> MeetingRooms { get; init; } = [];

    public const string GuestAreaName = "ゲストエリア";
    public const int DefaultWidth = 4800;
    public const int DefaultHeight = 2750;

    /// <summary>
    /// R5, R8: a new room has the default background, the office floor, with its meeting rooms laid over
    /// the rooms drawn on it and "ゲストエリア" (the entry position) at its entrance (<see cref="DefaultOffice"/>).
    /// </summary>
    public static RoomSettingsDocument Defaults() => new() { MeetingRooms = DefaultOffice.MeetingRooms() };
}

/// <summary>R3: checked site domains and registered e-mails (lower-case); both empty = every member.</summary>
public sealed record EntrySettings
{
    public IReadOnlyList<string> Domains { get; init; } = [];
    public IReadOnlyList<string> Users { get; init; } = [];
}

/// <summary>R4: voice reach in background pixels; the two volumes in percent.</summary>
public sealed record SoundSettings
{
    public int VoiceReach { get; init; } = 300;
    public int EntryChimeVolume { get; init; } = 50;
    public int DoorVolume { get; init; } = 50;
}

/// <summary>R5: the room's size is the image's pixel size; without an image, the default size.</summary>
public sealed record BackgroundSettings
{
    public int Width { get; init; } = RoomSettingsDocument.DefaultWidth;
    public int Height { get; init; } = RoomSettingsDocument.DefaultHeight;
    /// <summary>Blob name of the uploaded image, null for the default background.</summary>
    public string? Blob { get; init; }
    public string? ContentType { get; init; }
}

public enum ScaleMode { FitHeight, FitWidth, Fixed }

/// <summary>R6: a mode, and the percent when the mode is fixed.</summary>
public sealed record ScaleRule(ScaleMode Mode, int? Percent = null);

public sealed record ScaleSettings
{
    public ScaleRule Minimum { get; init; } = new(ScaleMode.FitHeight);
    public ScaleRule Entry { get; init; } = new(ScaleMode.FitHeight);
}

public enum AudioMode { WholeRoom, ByDistance, None }

public enum BgmVolume { Normal, Lower, MuchLower }

/// <summary>R7: either an https URL or an uploaded mp3 (its blob name).</summary>
public sealed record Bgm(string? Url, string? Blob)
{
    public static Bgm FromUrl(string url) => new(url, null);
    public static Bgm Uploaded(string blob) => new(null, blob);
}

/// <summary>R7: an area on the background. Styles are whitelisted CSS (see <see cref="StyleRules"/>).</summary>
public sealed record MeetingRoom
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public int X { get; init; }
    public int Y { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public IReadOnlyDictionary<string, string> NameStyle { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> AreaStyle { get; init; } = new Dictionary<string, string>();
    public AudioMode AudioMode { get; init; } = AudioMode.WholeRoom;
    public Bgm? Bgm { get; init; }
    public BgmVolume BgmVolume { get; init; } = BgmVolume.Normal;
}
