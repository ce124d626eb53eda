using System.Text.Json;
using Zawaroom.Common;
using Zawaroom.Members;

namespace Zawaroom.RoomSettings;

/// <summary>
/// Reads the settings JSON of a PUT (and the layout part of a .zawa file) strictly: every field is
/// checked, an unknown field or a value out of range is a 400 "validation" naming the field, and
/// nothing is applied unless all of it is valid.
/// </summary>
public static class SettingsReader
{
    public const int MaxNameLength = 50, MaxUrlLength = 2000;

    /// <summary>How a meeting room's "bgm" value becomes a <see cref="Bgm"/>; the PUT and the import differ.</summary>
    public delegate Bgm? BgmReader(JsonElement value, string path, MeetingRoom? existing);

    /// <summary>R3: the entry section. Unknown e-mails are collected and reported together, never dropped.</summary>
    /// <remarks>A domain the site no longer allows may stay checked if it already was (<paramref name="current"/>), never be added.</remarks>
    public static EntrySettings Entry(JsonElement value, IReadOnlyList<string> siteDomains, IReadOnlySet<string> members,
        EntrySettings current, string path = "entry")
    {
        var o = new StrictObject(value, path);
        var selectable = siteDomains.Concat(current.Domains.Where(d => !siteDomains.Contains(d, StringComparer.OrdinalIgnoreCase))).ToList();
        var domains = o.Has("domains") ? Domains(o.Required("domains"), selectable, path + ".domains") : [];
        // A member deleted since stays acceptable where already listed, so the unchanged view can be saved back.
        var known = current.Users.Count == 0 ? members : members.Concat(current.Users).ToHashSet(StringComparer.Ordinal);
        var users = o.Has("users") ? Users(o.Required("users"), known, path + ".users") : [];
        o.RejectUnknown();
        return new EntrySettings { Domains = domains, Users = users };
    }

    /// <summary>Checked domains, as strings or as the { domain, checked } choices GET shows; each must be a site domain.</summary>
    public static IReadOnlyList<string> Domains(JsonElement value, IReadOnlyList<string> siteDomains, string path)
    {
        if (value.ValueKind != JsonValueKind.Array) throw Wrong(path, "a list of domains");
        var chosen = new List<string>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemPath = $"{path}[{i++}]";
            string domain;
            if (item.ValueKind == JsonValueKind.String) domain = item.GetString()!;
            else
            {
                var o = new StrictObject(item, itemPath);
                domain = o.String("domain");
                var isChecked = o.Bool("checked") ?? true;
                o.Bool("retired");
                o.RejectUnknown();
                if (!isChecked) continue;
            }
            var known = siteDomains.FirstOrDefault(d => string.Equals(d, domain.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw Invalid(itemPath, $"'{domain}' is not a domain this site allows.");
            if (!chosen.Contains(known, StringComparer.OrdinalIgnoreCase)) chosen.Add(known.ToLowerInvariant());
        }
        return chosen;
    }

    /// <summary>E-mails as text (comma, tab, newline) or a list; every one must be a registered member.</summary>
    public static IReadOnlyList<string> Users(JsonElement value, IReadOnlySet<string> members, string path)
    {
        IReadOnlyList<string> emails = value.ValueKind switch
        {
            JsonValueKind.String => Emails.SplitList(value.GetString()),
            JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                value.EnumerateArray().SelectMany(e => Emails.SplitList(e.GetString())).Distinct().ToList(),
            _ => throw Wrong(path, "e-mails as text or a list of strings"),
        };
        var unknown = emails.Where(e => !members.Contains(e)).ToList();
        if (unknown.Count > 0)
            throw Problems.Validation("Not registered on this site: " + string.Join(", ", unknown),
                new Dictionary<string, object?> { ["field"] = path, ["unknownEmails"] = unknown });
        return emails;
    }

    /// <summary>R4.</summary>
    public static SoundSettings Sound(JsonElement value, string path = "sound")
    {
        var o = new StrictObject(value, path);
        var sound = new SoundSettings
        {
            VoiceReach = o.Int("voiceReach", 50, 5000),
            EntryChimeVolume = o.Int("entryChimeVolume", 0, 100),
            DoorVolume = o.Int("doorVolume", 0, 100),
        };
        o.RejectUnknown();
        return sound;
    }

    /// <summary>R6.</summary>
    public static ScaleSettings Scale(JsonElement value, string path = "scale")
    {
        var o = new StrictObject(value, path);
        var minimum = Rule(o.Required("minimum"), path + ".minimum");
        var entry = Rule(o.Required("entry"), path + ".entry");
        o.RejectUnknown();
        if (ScaleRules.CheckMinimum(minimum) is { } m) throw Invalid(path + ".minimum", m);
        if (ScaleRules.CheckEntry(entry) is { } e) throw Invalid(path + ".entry", e);
        return new ScaleSettings { Minimum = minimum, Entry = entry };
    }

    static ScaleRule Rule(JsonElement value, string path)
    {
        var o = new StrictObject(value, path);
        var mode = o.Enum<ScaleMode>("mode");
        var percent = o.OptionalInt("percent");
        o.RejectUnknown();
        return new ScaleRule(mode, percent);
    }

    /// <summary>R7: the ordered list; ids are kept (or made for new entries), every area lies inside the background.</summary>
    public static IReadOnlyList<MeetingRoom> MeetingRooms(JsonElement value, int width, int height,
        IReadOnlyList<MeetingRoom> existing, BgmReader bgm, string path = "meetingRooms")
    {
        if (value.ValueKind != JsonValueKind.Array) throw Wrong(path, "a list of meeting rooms");
        if (value.GetArrayLength() > LayoutRules.MaxMeetingRooms) throw Invalid(path, $"A room has at most {LayoutRules.MaxMeetingRooms} meeting rooms.");
        var rooms = new List<MeetingRoom>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemPath = $"{path}[{i++}]";
            var o = new StrictObject(item, itemPath);
            var id = o.OptionalString("id") ?? Guid.NewGuid().ToString("N")[..12];
            if (!IsId(id)) throw Invalid(itemPath + ".id", "An id has 1-32 characters of a-z, A-Z, 0-9, '-' and '_'.");
            if (rooms.Any(r => r.Id == id)) throw Invalid(itemPath + ".id", $"The id '{id}' is used twice.");
            var before = existing.FirstOrDefault(r => r.Id == id);
            var name = o.String("name").Trim();
            if (name.Length is 0 or > MaxNameLength) throw Invalid(itemPath + ".name", $"A meeting room name has 1-{MaxNameLength} characters.");
            var room = new MeetingRoom
            {
                Id = id,
                Name = name,
                X = o.Int("x", 0, int.MaxValue),
                Y = o.Int("y", 0, int.MaxValue),
                Width = o.Int("width", 1, int.MaxValue),
                Height = o.Int("height", 1, int.MaxValue),
                NameStyle = o.Has("nameStyle") ? Style(o.Required("nameStyle"), itemPath + ".nameStyle") : new Dictionary<string, string>(),
                AreaStyle = o.Has("areaStyle") ? Style(o.Required("areaStyle"), itemPath + ".areaStyle") : new Dictionary<string, string>(),
                AudioMode = o.Has("audioMode") ? o.Enum<AudioMode>("audioMode") : AudioMode.WholeRoom,
                Bgm = o.Has("bgm") ? bgm(o.Required("bgm"), itemPath + ".bgm", before) : null,
                BgmVolume = o.Has("bgmVolume") ? o.Enum<BgmVolume>("bgmVolume") : BgmVolume.Normal,
            };
            o.RejectUnknown();
            if (!LayoutRules.Inside(room, width, height))
                throw Invalid(itemPath, $"The meeting room '{name}' must lie inside the background ({width} x {height}).");
            rooms.Add(room);
        }
        return rooms;
    }

    /// <summary>The PUT's "bgm": null, { kind: "url", url } or { kind: "uploaded" } to keep the uploaded mp3.</summary>
    public static Bgm? BgmOfPut(JsonElement value, string path, MeetingRoom? existing)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        var o = new StrictObject(value, path);
        var kind = o.String("kind");
        switch (kind)
        {
            case "url":
                var url = BgmUrl(o.String("url"), path + ".url");
                o.RejectUnknown();
                return Bgm.FromUrl(url);
            case "uploaded":
                o.RejectUnknown();
                return existing?.Bgm?.Blob is { } blob
                    ? Bgm.Uploaded(blob)
                    : throw Invalid(path, "This meeting room has no uploaded BGM; upload one with PUT .../meeting-rooms/{mid}/bgm.");
            default:
                throw Invalid(path + ".kind", "'kind' is \"url\" or \"uploaded\".");
        }
    }

    /// <summary>A BGM URL is absolute https (the browser fetches it with CORS).</summary>
    public static string BgmUrl(string url, string path)
    {
        if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
            || !string.IsNullOrEmpty(uri.UserInfo) || string.IsNullOrEmpty(uri.Host))
            throw Invalid(path, "A BGM URL is an absolute https:// URL.");
        return url;
    }

    /// <summary>A style object: property -> string (numbers are taken as their text); checked by <see cref="StyleRules"/>.</summary>
    public static IReadOnlyDictionary<string, string> Style(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Null) return new Dictionary<string, string>();
        if (value.ValueKind != JsonValueKind.Object) throw Wrong(path, "a JSON object of CSS properties");
        var style = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in value.EnumerateObject())
        {
            style[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.Number => p.Value.GetRawText(),
                _ => throw Wrong($"{path}.{p.Name}", "a string or a number"),
            };
        }
        var problems = StyleRules.Problems(style);
        if (problems.Count > 0)
            throw Problems.Validation("Style refused: " + string.Join(" ", problems),
                new Dictionary<string, object?> { ["field"] = path, ["styleProblems"] = problems });
        return style;
    }

    static bool IsId(string id) => id.Length is > 0 and <= 32 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    internal static ProblemException Invalid(string path, string detail) =>
        Problems.Validation(detail, new Dictionary<string, object?> { ["field"] = path });

    internal static ProblemException Wrong(string path, string expected) => Invalid(path, $"'{path}' must be {expected}.");
}

/// <summary>One JSON object read field by field with its path; fields nobody read are refused.</summary>
public sealed class StrictObject
{
    readonly JsonElement _root;
    readonly string _path;
    readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public StrictObject(JsonElement root, string path)
    {
        _path = path;
        _root = root.ValueKind == JsonValueKind.Object ? root : throw SettingsReader.Wrong(path, "a JSON object");
    }

    string P(string name) => $"{_path}.{name}";

    public void Ignore(string name) => _read.Add(name);

    public bool Has(string name) { _read.Add(name); return _root.TryGetProperty(name, out _); }

    public JsonElement Required(string name)
    {
        _read.Add(name);
        return _root.TryGetProperty(name, out var v) ? v : throw SettingsReader.Invalid(P(name), $"'{P(name)}' is required.");
    }

    public JsonElement? Optional(string name)
    {
        _read.Add(name);
        return _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
    }

    public string String(string name)
    {
        var v = Required(name);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw SettingsReader.Wrong(P(name), "a string");
    }

    public string? OptionalString(string name) =>
        Optional(name) is { } v ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw SettingsReader.Wrong(P(name), "a string") : null;

    public bool? Bool(string name) => Optional(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw SettingsReader.Wrong(P(name), "true or false"),
    };

    public int Int(string name, int min, int max)
    {
        var v = Required(name);
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var i)) throw SettingsReader.Wrong(P(name), "a whole number");
        return i >= min && i <= max ? i : throw SettingsReader.Invalid(P(name), $"'{P(name)}' is {min}-{max}.");
    }

    public int? OptionalInt(string name) => Optional(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } v when v.TryGetInt32(out var i) => i,
        _ => throw SettingsReader.Wrong(P(name), "a whole number"),
    };

    public T Enum<T>(string name) where T : struct, System.Enum
    {
        var v = Required(name);
        try
        {
            if (v.ValueKind == JsonValueKind.String) return v.Deserialize<T>(Json.Options);
        }
        catch (JsonException)
        {
        }
        throw SettingsReader.Wrong(P(name), "one of " + string.Join(", ", System.Enum.GetValues<T>().Select(x => JsonSerializer.Serialize(x, Json.Options))));
    }

    public void RejectUnknown()
    {
        var unknown = _root.EnumerateObject().Select(p => p.Name).Where(n => !_read.Contains(n)).ToList();
        if (unknown.Count > 0) throw SettingsReader.Invalid(_path, $"Unknown field(s) in '{_path}': " + string.Join(", ", unknown));
    }
}
