using System.Text.Json;
using System.Text.Json.Nodes;
using Zawaroom.Common;

namespace Zawaroom.RoomSettings;

/// <summary>A blob an import will write: its name, bytes and type.</summary>
public sealed record NewBlob(string Name, byte[] Bytes, string ContentType);

/// <summary>What an import decided: the new settings, the blobs to write first, the domains the site does not allow.</summary>
public sealed record ZawaImport(RoomSettingsDocument Settings, IReadOnlyList<NewBlob> Blobs, IReadOnlyList<string> IgnoredDomains);

/// <summary>
/// R2: the .zawa room file. JSON: { format: "zawaroom.room", version: 1, exportedAt, room: { name },
/// entry: { domains }, sound, scale, background: { width, height, image?: { contentType, data } },
/// meetingRooms: [ { id, name, x, y, width, height, nameStyle, areaStyle, audioMode, bgmVolume,
/// bgm?: { kind: "url", url } | { kind: "uploaded", contentType, data } } ] }, data in base64.
/// Entry by user (site-specific e-mails) and items placed in the room are not carried.
/// </summary>
public static class ZawaFile
{
    public const string Format = "zawaroom.room";
    public const int Version = 1;

    public delegate Task<byte[]?> BlobReader(string name);

    public static async Task<byte[]> Export(RoomSettingsDocument settings, string roomName, DateTimeOffset now, BlobReader read)
    {
        var background = new JsonObject { ["width"] = settings.Background.Width, ["height"] = settings.Background.Height };
        if (settings.Background.Blob is { } image && await read(image) is { } imageBytes)
            background["image"] = new JsonObject { ["contentType"] = settings.Background.ContentType, ["data"] = Convert.ToBase64String(imageBytes) };

        var rooms = new JsonArray();
        foreach (var m in settings.MeetingRooms)
        {
            JsonNode? bgm = null;
            if (m.Bgm?.Url is { } url) bgm = new JsonObject { ["kind"] = "url", ["url"] = url };
            else if (m.Bgm?.Blob is { } blob && await read(blob) is { } mp3)
                bgm = new JsonObject { ["kind"] = "uploaded", ["contentType"] = "audio/mpeg", ["data"] = Convert.ToBase64String(mp3) };
            rooms.Add(new JsonObject
            {
                ["id"] = m.Id,
                ["name"] = m.Name,
                ["x"] = m.X,
                ["y"] = m.Y,
                ["width"] = m.Width,
                ["height"] = m.Height,
                ["nameStyle"] = JsonSerializer.SerializeToNode(m.NameStyle, Json.Options),
                ["areaStyle"] = JsonSerializer.SerializeToNode(m.AreaStyle, Json.Options),
                ["audioMode"] = JsonSerializer.SerializeToNode(m.AudioMode, Json.Options),
                ["bgm"] = bgm,
                ["bgmVolume"] = JsonSerializer.SerializeToNode(m.BgmVolume, Json.Options),
            });
        }

        var file = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["exportedAt"] = now.ToString("O"),
            ["room"] = new JsonObject { ["name"] = roomName },
            ["entry"] = new JsonObject { ["domains"] = new JsonArray(settings.Entry.Domains.Select(d => (JsonNode?)d).ToArray()) },
            ["sound"] = JsonSerializer.SerializeToNode(settings.Sound, Json.Options),
            ["scale"] = JsonSerializer.SerializeToNode(settings.Scale, Json.Options),
            ["background"] = background,
            ["meetingRooms"] = rooms,
        };
        return JsonSerializer.SerializeToUtf8Bytes(file, new JsonSerializerOptions(Json.Options) { WriteIndented = true });
    }

    /// <summary>
    /// Reads and checks the whole file before anything is written; every failure is a 400
    /// "file-invalid" (or 413 "too-large" for an embedded file over its limit).
    /// </summary>
    public static ZawaImport Read(byte[] bytes, RoomSettingsDocument current, IReadOnlyList<string> siteDomains,
        RoomMediaOptions limits, Func<string, string> newBlobName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw MediaCheck.FileInvalid("The file is not a .zawa room file (not JSON): " + e.Message);
        }
        using (document)
        {
            try
            {
                return Read(document.RootElement, current, siteDomains, limits, newBlobName);
            }
            catch (ProblemException p) when (p.Code == "validation")
            {
                throw Problems.Of(400, "file-invalid", "Invalid file", "The .zawa file is invalid: " + p.Message, p.Extensions);
            }
        }
    }

    static ZawaImport Read(JsonElement root, RoomSettingsDocument current, IReadOnlyList<string> siteDomains,
        RoomMediaOptions limits, Func<string, string> newBlobName)
    {
        if (root.ValueKind != JsonValueKind.Object) throw MediaCheck.FileInvalid("A .zawa file is a JSON object.");
        if (!root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != Format)
            throw MediaCheck.FileInvalid($"This is not a Zawaroom room file (format must be \"{Format}\").");
        if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v < 1)
            throw MediaCheck.FileInvalid("The file has no valid version.");
        if (v > Version)
            throw MediaCheck.FileInvalid($"The file was made by a newer Zawaroom (version {v}); this one reads version {Version}.");

        var o = new StrictObject(root, "file");
        o.Ignore("format");
        o.Ignore("version");
        if (o.OptionalString("exportedAt") is { } exportedAt && !DateTimeOffset.TryParse(exportedAt, out _))
            throw SettingsReader.Invalid("file.exportedAt", "'exportedAt' is not a date.");
        if (o.Optional("room") is { } room)
        {
            var r = new StrictObject(room, "room");
            r.OptionalString("name");
            r.RejectUnknown();
        }

        var entry = new StrictObject(o.Required("entry"), "entry");
        var domains = entry.Required("domains");
        entry.RejectUnknown();
        if (domains.ValueKind != JsonValueKind.Array || domains.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.String))
            throw SettingsReader.Wrong("entry.domains", "a list of domains");
        var named = domains.EnumerateArray().Select(d => d.GetString()!.Trim().ToLowerInvariant()).Distinct().ToList();
        var allowed = named.Where(d => siteDomains.Contains(d, StringComparer.OrdinalIgnoreCase)).ToList();
        var ignored = named.Except(allowed).ToList();

        var sound = SettingsReader.Sound(o.Required("sound"));
        var scale = SettingsReader.Scale(o.Required("scale"));

        var blobs = new List<NewBlob>();
        var bg = new StrictObject(o.Required("background"), "background");
        var width = bg.Int("width", LayoutRules.MinSide, LayoutRules.MaxSide);
        var height = bg.Int("height", LayoutRules.MinSide, LayoutRules.MaxSide);
        var background = new BackgroundSettings { Width = width, Height = height };
        if (bg.Optional("image") is { } image)
        {
            var bytes = Embedded(image, "background.image", limits.MaxBackgroundBytes, "background image");
            var info = MediaCheck.Image(bytes);
            if (info.Width != width || info.Height != height)
                throw MediaCheck.FileInvalid($"The background image is {info.Width} x {info.Height}, but the file says {width} x {height}.");
            var name = newBlobName("background");
            blobs.Add(new NewBlob(name, bytes, info.ContentType));
            background = background with { Blob = name, ContentType = info.ContentType };
        }
        bg.RejectUnknown();

        var meetingRooms = SettingsReader.MeetingRooms(o.Required("meetingRooms"), width, height, [], (value, path, _) =>
        {
            if (value.ValueKind == JsonValueKind.Null) return null;
            var b = new StrictObject(value, path);
            switch (b.String("kind"))
            {
                case "url":
                    var url = SettingsReader.BgmUrl(b.String("url"), path + ".url");
                    b.RejectUnknown();
                    return Bgm.FromUrl(url);
                case "uploaded":
                    var mp3 = Embedded(value, path, limits.MaxBgmBytes, "BGM");
                    b.Ignore("contentType");
                    b.Ignore("data");
                    b.RejectUnknown();
                    MediaCheck.Mp3(mp3);
                    var name = newBlobName("bgm");
                    blobs.Add(new NewBlob(name, mp3, "audio/mpeg"));
                    return Bgm.Uploaded(name);
                default:
                    throw SettingsReader.Invalid(path + ".kind", "'kind' is \"url\" or \"uploaded\".");
            }
        });
        o.RejectUnknown();

        var settings = current with
        {
            Entry = current.Entry with { Domains = allowed },
            Sound = sound,
            Scale = scale,
            Background = background,
            MeetingRooms = meetingRooms,
        };
        return new ZawaImport(settings, blobs, ignored);
    }

    /// <summary>An embedded file: { contentType, data (base64) } within its limit.</summary>
    static byte[] Embedded(JsonElement value, string path, long limit, string what)
    {
        var o = new StrictObject(value, path);
        var data = o.String("data");
        o.Ignore("contentType");
        o.Ignore("kind");
        o.RejectUnknown();
        if (data.Length / 4L * 3 > limit) throw MediaCheck.TooLarge(what, limit);
        try
        {
            var bytes = Convert.FromBase64String(data);
            return bytes.Length > limit ? throw MediaCheck.TooLarge(what, limit) : bytes;
        }
        catch (FormatException)
        {
            throw MediaCheck.FileInvalid($"'{path}.data' is not base64.");
        }
    }
}
