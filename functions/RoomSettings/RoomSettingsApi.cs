using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Zawaroom.Blobs;
using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Members;
using Zawaroom.Rooms;
using Zawaroom.Sites;
using Zawaroom.Storage;

namespace Zawaroom.RoomSettings;

/// <summary>
/// R1-R8: a room's settings, its media and the .zawa file.
/// GET settings is open to members, because the live room and the room screen draw from it; the
/// entry section (who may enter) is shown only to site admins and the room's admins. Every write
/// is for room admins, needs the room to be empty (P3) and is all or nothing.
/// </summary>
public static class RoomSettingsApi
{
    public sealed record BackgroundView(int Width, int Height, bool Uploaded, string? ContentType, string? Version);
    public sealed record BgmView(string Kind, string? Url);
    public sealed record MeetingRoomView(string Id, string Name, int X, int Y, int Width, int Height,
        IReadOnlyDictionary<string, string> NameStyle, IReadOnlyDictionary<string, string> AreaStyle,
        AudioMode AudioMode, BgmView? Bgm, BgmVolume BgmVolume);
    public sealed record EntryView(IReadOnlyList<DomainChoice> Domains, IReadOnlyList<string> Users);
    public sealed record SettingsView(EntryView? Entry, SoundSettings Sound, ScaleSettings Scale, BackgroundView Background,
        IReadOnlyList<MeetingRoomView> MeetingRooms, Point EntryPosition);
    public sealed record ImportResult(SettingsView Settings, IReadOnlyList<string> IgnoredDomains);

    public static SettingsView View(RoomSettingsDocument s, IReadOnlyList<string>? siteDomains) => new(
        siteDomains is null ? null : new EntryView(EntryPermission.Choices(s.Entry, siteDomains), s.Entry.Users),
        s.Sound, s.Scale,
        new BackgroundView(s.Background.Width, s.Background.Height, s.Background.Blob is not null, s.Background.ContentType, VersionOf(s.Background.Blob)),
        s.MeetingRooms.Select(m => new MeetingRoomView(m.Id, m.Name, m.X, m.Y, m.Width, m.Height, m.NameStyle, m.AreaStyle, m.AudioMode,
            m.Bgm switch { { Url: { } url } => new BgmView("url", url), { Blob: not null } => new BgmView("uploaded", null), _ => null },
            m.BgmVolume)).ToList(),
        EntryPosition.Of(s));

    static string? VersionOf(string? blob) => blob?[(blob.LastIndexOf('/') + 1)..];

    public static void MapRoomSettings(this RouteGroupBuilder api)
    {
        var rooms = api.MapGroup("/rooms/{id}").WithTags("Room settings");
        rooms.MapGet("/settings", GetSettings).Allow(Access.Member)
            .WithSummary("The room's layout (sound, scale, background, meeting rooms, entry position); 'entry' only for its admins. ETag.");
        rooms.MapPut("/settings", PutSettings).Allow(Access.RoomAdmin).WithBodyLimit(4 * 1024 * 1024)
            .WithSummary("Replaces entry, sound, scale and/or meetingRooms (a section left out stays). If-Match required.");
        rooms.MapPut("/background", PutBackground).Allow(Access.RoomAdmin).WithBodyCappedByHandler()
            .WithSummary("The background image as the raw body (PNG, JPEG, WebP or GIF, told from the bytes; at most 10 MB). Its pixel size becomes the room size.");
        rooms.MapGet("/background", GetBackground).Allow(Access.Member)
            .WithSummary("The uploaded background image; 404 while the room uses the default background.");
        rooms.MapPut("/meeting-rooms/{mid}/bgm", PutBgm).Allow(Access.RoomAdmin).WithBodyCappedByHandler()
            .WithSummary("A meeting room's BGM as the raw body (MPEG audio, at most 10 MB).");
        rooms.MapGet("/meeting-rooms/{mid}/bgm", GetBgm).Allow(Access.Member)
            .WithSummary("A meeting room's uploaded BGM.");
        rooms.MapGet("/export", Export).Allow(Access.RoomAdmin)
            .WithSummary("The .zawa room file: format \"zawaroom.room\", version 1, entry by domain and the whole layout with its media.");
        rooms.MapPost("/import", Import).Allow(Access.RoomAdmin).WithBodyCappedByHandler()
            .WithSummary("Applies a .zawa file (raw body) to this room; a malformed, foreign, future or oversized file changes nothing.");
    }

    static async Task<SettingsView> GetSettings(HttpContext http, string id, RoomDirectory directory, RoomSettingsStore settings, CancellationToken ct)
    {
        var site = http.RequireSite();
        await directory.Get(site.SiteId, id, ct);
        var stored = await settings.Get(site.SiteId, id, ct);
        var caller = http.Caller();
        var isAdmin = caller.IsSiteAdmin || await directory.IsRoomAdmin(site.SiteId, id, caller.Email, ct);
        http.Response.Headers.ETag = stored.ETag;
        return View(stored.Value, isAdmin ? site.Site.AllowDomainNames : null);
    }

    /// <summary>PUT with If-Match: entry, sound, scale, meetingRooms; a section left out stays as it is.</summary>
    static async Task<SettingsView> PutSettings(HttpContext http, string id, JsonElement body, RoomDirectory directory,
        RoomSettingsStore settings, MemberDirectory members, CancellationToken ct)
    {
        var site = http.RequireSite();
        var room = await directory.Get(site.SiteId, id, ct);
        var ifMatch = RequireIfMatch(http);
        await directory.RequireEmpty(site.SiteId, room.Value, ct);
        var current = await settings.Get(site.SiteId, id, ct);
        if (current.ETag != ifMatch) throw Problems.Conflict();

        var s = current.Value;
        var o = new StrictObject(body, "settings");
        if (o.Optional("entry") is { } entry)
        {
            var roster = (await members.GetRoster(site.SiteId, ct)).Emails.ToHashSet(StringComparer.Ordinal);
            s = s with { Entry = SettingsReader.Entry(entry, site.Site.AllowDomainNames, roster, s.Entry) };
        }
        if (o.Optional("sound") is { } sound) s = s with { Sound = SettingsReader.Sound(sound) };
        if (o.Optional("scale") is { } scale) s = s with { Scale = SettingsReader.Scale(scale) };
        if (o.Optional("meetingRooms") is { } meetingRooms)
            s = s with { MeetingRooms = SettingsReader.MeetingRooms(meetingRooms, s.Background.Width, s.Background.Height, s.MeetingRooms, SettingsReader.BgmOfPut) };
        // Read-only parts of the GET view may come back unchanged; they are not settings.
        o.Ignore("background");
        o.Ignore("entryPosition");
        o.RejectUnknown();

        var saved = await settings.Replace(site.SiteId, id, current.Value, s, ifMatch, ct);
        http.Response.Headers.ETag = saved.ETag;
        return View(saved.Value, site.Site.AllowDomainNames);
    }

    static async Task<SettingsView> PutBackground(HttpContext http, string id, RoomDirectory directory, RoomSettingsStore settings,
        IBlobStore blobs, IOptions<RoomMediaOptions> limits, CancellationToken ct)
    {
        var site = http.RequireSite();
        var room = await directory.Get(site.SiteId, id, ct);
        await directory.RequireEmpty(site.SiteId, room.Value, ct);
        var bytes = await ReadBody(http, limits.Value.MaxBackgroundBytes, "background image", ct);
        var image = MediaCheck.Image(bytes);
        await RequireBudget(site.SiteId, id, settings, limits.Value, bytes.Length, s => s.Background.Blob, ct);
        var blob = RoomSettingsStore.NewBlobName(site.SiteId, id, "background");
        var saved = await WriteWithBlobs(http, site.SiteId, id, settings, blobs, [new NewBlob(blob, bytes, image.ContentType)],
            s => s with
            {
                Background = new BackgroundSettings { Width = image.Width, Height = image.Height, Blob = blob, ContentType = image.ContentType },
                MeetingRooms = LayoutRules.FitInto(s.MeetingRooms, image.Width, image.Height),
            }, ct);
        return View(saved.Value, site.Site.AllowDomainNames);
    }

    static async Task<SettingsView> PutBgm(HttpContext http, string id, string mid, RoomDirectory directory, RoomSettingsStore settings,
        IBlobStore blobs, IOptions<RoomMediaOptions> limits, CancellationToken ct)
    {
        var site = http.RequireSite();
        var room = await directory.Get(site.SiteId, id, ct);
        if ((await settings.Get(site.SiteId, id, ct)).Value.MeetingRooms.All(m => m.Id != mid)) throw Problems.NotFound("There is no such meeting room.");
        await directory.RequireEmpty(site.SiteId, room.Value, ct);
        var bytes = await ReadBody(http, limits.Value.MaxBgmBytes, "BGM", ct);
        MediaCheck.Mp3(bytes);
        await RequireBudget(site.SiteId, id, settings, limits.Value, bytes.Length, s => s.MeetingRooms.FirstOrDefault(m => m.Id == mid)?.Bgm?.Blob, ct);
        var blob = RoomSettingsStore.NewBlobName(site.SiteId, id, "bgm");
        var saved = await WriteWithBlobs(http, site.SiteId, id, settings, blobs, [new NewBlob(blob, bytes, "audio/mpeg")],
            s => s.MeetingRooms.Any(m => m.Id == mid)
                ? s with { MeetingRooms = s.MeetingRooms.Select(m => m.Id == mid ? m with { Bgm = Bgm.Uploaded(blob) } : m).ToList() }
                : throw Problems.NotFound("There is no such meeting room."), ct);
        return View(saved.Value, site.Site.AllowDomainNames);
    }

    static async Task<IResult> GetBackground(HttpContext http, string id, RoomDirectory directory, RoomSettingsStore settings, IBlobStore blobs, CancellationToken ct)
    {
        var site = http.RequireSite();
        await directory.Get(site.SiteId, id, ct);
        var s = (await settings.Get(site.SiteId, id, ct)).Value;
        return await Serve(http, blobs, s.Background.Blob, "This room uses the default background.", ct);
    }

    static async Task<IResult> GetBgm(HttpContext http, string id, string mid, RoomDirectory directory, RoomSettingsStore settings, IBlobStore blobs, CancellationToken ct)
    {
        var site = http.RequireSite();
        await directory.Get(site.SiteId, id, ct);
        var m = (await settings.Get(site.SiteId, id, ct)).Value.MeetingRooms.FirstOrDefault(m => m.Id == mid)
            ?? throw Problems.NotFound("There is no such meeting room.");
        return await Serve(http, blobs, m.Bgm?.Blob, "This meeting room has no uploaded BGM.", ct);
    }

    static async Task<IResult> Export(HttpContext http, string id, RoomDirectory directory, RoomSettingsStore settings,
        IBlobStore blobs, TimeProvider clock, CancellationToken ct)
    {
        var site = http.RequireSite();
        var room = await directory.Get(site.SiteId, id, ct);
        var s = (await settings.Get(site.SiteId, id, ct)).Value;
        var bytes = await ZawaFile.Export(s, room.Value.Name, clock.GetUtcNow(), async name =>
        {
            if (await blobs.Open(name, ct) is not var (content, _)) return null;
            await using (content)
            {
                var buffer = new MemoryStream();
                await content.CopyToAsync(buffer, ct);
                return buffer.ToArray();
            }
        });
        return Results.File(bytes, "application/json", room.Value.Name + ".zawa");
    }

    static async Task<ImportResult> Import(HttpContext http, string id, RoomDirectory directory, RoomSettingsStore settings,
        IBlobStore blobs, IOptions<RoomMediaOptions> limits, CancellationToken ct)
    {
        var site = http.RequireSite();
        var room = await directory.Get(site.SiteId, id, ct);
        await directory.RequireEmpty(site.SiteId, room.Value, ct);
        var bytes = await ReadBody(http, limits.Value.MaxZawaBytes, ".zawa file", ct);
        var current = await settings.Get(site.SiteId, id, ct);
        var read = ZawaFile.Read(bytes, current.Value, site.Site.AllowDomainNames, limits.Value,
            what => RoomSettingsStore.NewBlobName(site.SiteId, id, what));
        var saved = await WriteWithBlobs(http, site.SiteId, id, settings, blobs, read.Blobs,
            s => read.Settings with { Entry = s.Entry with { Domains = read.Settings.Entry.Domains } }, ct);
        return new ImportResult(View(saved.Value, site.Site.AllowDomainNames), read.IgnoredDomains);
    }

    /// <summary>
    /// Notes the write, writes the new blobs, then the settings (with the request's If-Match when it sent
    /// one, else retried against concurrent writers), then removes the blobs no longer named. A failure
    /// removes the new blobs again, so nothing changes; a crash is finished by the next start from the note.
    /// </summary>
    static async Task<Stored<RoomSettingsDocument>> WriteWithBlobs(HttpContext http, string siteId, string roomId, RoomSettingsStore settings,
        IBlobStore blobs, IReadOnlyList<NewBlob> newBlobs, Func<RoomSettingsDocument, RoomSettingsDocument> change, CancellationToken ct)
    {
        var ifMatch = IfMatch(http);
        var note = await settings.BeginMediaWrite(siteId, roomId, newBlobs.Select(b => b.Name).ToList(), ct);
        Stored<RoomSettingsDocument>? saved = null;
        RoomSettingsDocument? before = null;
        try
        {
            foreach (var b in newBlobs) await blobs.Put(b.Name, new MemoryStream(b.Bytes, writable: false), b.ContentType, ct);
            for (var attempt = 0; saved is null; attempt++)
            {
                var current = await settings.Get(siteId, roomId, ct);
                if (ifMatch is not null && ifMatch != current.ETag) throw Problems.Conflict();
                try
                {
                    saved = await settings.Write(siteId, roomId, change(current.Value), current.ETag, ct);
                    before = current.Value;
                }
                catch (ConcurrencyException) when (ifMatch is null && attempt < 5)
                {
                }
            }
        }
        catch
        {
            // Not saved: the new blobs go again and nothing changed. (Once saved, they are named and must stay.)
            foreach (var b in newBlobs) await blobs.Delete(b.Name, CancellationToken.None);
            await settings.EndMediaWrite(note, CancellationToken.None);
            throw;
        }
        http.Response.Headers.ETag = saved.ETag;
        // Saved, whatever happens to the request from here: the replaced blobs are removed even if the caller has gone.
        await settings.DeleteUnused(before!, saved.Value, CancellationToken.None);
        await settings.EndMediaWrite(note, CancellationToken.None);
        return saved;
    }

    /// <summary>413 "too-large" when the room's media with this upload (minus the one it replaces) would not fit one .zawa file.</summary>
    static async Task RequireBudget(string siteId, string roomId, RoomSettingsStore settings, RoomMediaOptions limits, long adding,
        Func<RoomSettingsDocument, string?> replaced, CancellationToken ct)
    {
        var current = (await settings.Get(siteId, roomId, ct)).Value;
        var budget = RoomSettingsStore.MediaBudget(limits);
        if (await settings.MediaBytes(current, replaced(current), ct) + adding > budget)
            throw Problems.Of(413, "too-large", "Too large",
                $"The room's background and BGM together may hold {budget / (1024 * 1024.0):0.#} MB, so that the room file can be imported again.",
                new Dictionary<string, object?> { ["limitBytes"] = budget });
    }

    static async Task<IResult> Serve(HttpContext http, IBlobStore blobs, string? blob, string missing, CancellationToken ct)
    {
        if (blob is null || await blobs.Open(blob, ct) is not var (content, info)) throw Problems.NotFound(missing);
        var etag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{VersionOf(blob)}\"");
        http.Response.Headers.CacheControl = "private, no-cache";
        return Results.Stream(content, info.ContentType, entityTag: etag, enableRangeProcessing: true);
    }

    static string? IfMatch(HttpContext http)
    {
        var value = http.Request.Headers.IfMatch.ToString();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    static string RequireIfMatch(HttpContext http) => IfMatch(http)
        ?? throw Problems.Of(428, "validation", "If-Match required", "Send If-Match with the ETag of GET .../settings, so that no one's change is lost.");

    /// <summary>The raw body up to <paramref name="limit"/> bytes: 413 "too-large" beyond it, 400 "file-invalid" when empty.</summary>
    static async Task<byte[]> ReadBody(HttpContext http, long limit, string what, CancellationToken ct)
    {
        if (http.Request.ContentLength > limit) throw MediaCheck.TooLarge(what, limit);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit + 1;
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit) throw MediaCheck.TooLarge(what, limit);
        }
        return buffer.Length > 0 ? buffer.ToArray() : throw MediaCheck.FileInvalid($"The {what} is empty.");
    }
}
