using System.Text.Json;
using Zawaroom.Common;
using Zawaroom.Hosting;
using Zawaroom.Identity;
using Zawaroom.Members;
using Zawaroom.Schedules;
using Zawaroom.Sites;
using Zawaroom.Storage;

namespace Zawaroom.ZoomSync;

/// <summary>Z1, Z2, Z7, Z9: the site admin's Zoom settings, member Zoom e-mails, "sync now" and the status.</summary>
public static class ZoomSyncApi
{
    public sealed record SettingsView(bool Enabled, string AccountId, string ClientId, bool ClientSecretSet, bool WebhookSecretTokenSet,
        string LocationName, string TimeZone, OnEntryRemoved OnEntryRemoved, bool InviteAttendees);
    public sealed record MemberView(string Email, string Name, bool ZoomEnabled, string? ZoomEmail, bool ZoomVerified, string? VerifyError, string? VerifyReason = null);
    public sealed record RecheckRequest(IReadOnlyList<string>? Emails);
    /// <summary>An audit record with the entry's title (when the entry still exists), for the status screen.</summary>
    public sealed record AuditView(DateTimeOffset At, string Operation, string EntryId, string? EntryTitle, long? MeetingId, string Result);
    public sealed record MemberPage(IReadOnlyList<MemberView> Items, int Total);
    public sealed record MemberChange(string? Email, bool? ZoomEnabled, string? ZoomEmail);
    public sealed record MemberChanges(IReadOnlyList<MemberChange>? Items);
    public sealed record StatusView(DateTimeOffset? LastRun, DateTimeOffset? NextRun, int Created, int Updated, int Deleted, int Failed, int Deferred,
        string? Outcome, IReadOnlyList<AuditView> Audit);

    public static void MapZoomSync(this RouteGroupBuilder api)
    {
        var zoom = api.MapGroup("/admin/zoom").WithTags("Zoom");
        zoom.MapGet("", async (HttpContext http, ZoomSettingsStore store, CancellationToken ct) =>
            View(await store.Get(http.RequireSite().SiteId, ct))).Allow(Access.SiteAdmin);
        zoom.MapPut("", PutSettings).Allow(Access.SiteAdmin);
        zoom.MapGet("/members", ListMembers).Allow(Access.SiteAdmin);
        zoom.MapPut("/members", PutMembers).Allow(Access.SiteAdmin);
        zoom.MapPost("/members/verify", RecheckMembers).Allow(Access.SiteAdmin);
        zoom.MapPost("/sync", async (HttpContext http, ZoomSettingsStore settings, IZoomSyncNow syncNow, CancellationToken ct) =>
        {
            var site = http.RequireSite().SiteId;
            var current = await settings.Get(site, ct);
            var result = !current.Enabled ? new SiteRunResult("disabled")
                : settings.Credentials(site, current) is null ? new SiteRunResult("not-configured")
                : await syncNow.Run(site, ct);
            return result.Outcome switch
            {
                "disabled" => throw Problems.Of(409, "zoom-disabled", "Zoom sync is off", "Turn Zoom sync on in the site's Zoom settings first."),
                "not-configured" => throw Problems.Of(409, "zoom-not-configured", "Zoom is not configured", "Give the Account ID, Client ID and Client Secret first."),
                // Busy (another holder has the site), queued (the SyncWorker will run it), failed or rate-limited (the next round continues).
                not "done" => Results.Accepted(value: result),
                _ => Results.Ok(result),
            };
        }).Allow(Access.SiteAdmin);
        zoom.MapGet("/status", async (HttpContext http, IDocumentStore store, ScheduleBook book, CancellationToken ct) =>
        {
            var site = http.RequireSite().SiteId;
            var status = (await store.Get<SyncStatus>(site, SiteSync.StatusKind, "status", ct))?.Value ?? new SyncStatus(null, null, 0, 0, 0, 0, 0, null);
            var audit = (await store.ListValues<SyncAudit>(site, SiteSync.AuditKind, ct)).AsEnumerable().Reverse().Take(200).ToList();
            // The admin reads entries by their titles, not their ids.
            var titles = new Dictionary<string, string>(StringComparer.Ordinal);
            var wanted = audit.Select(a => a.EntryId).ToHashSet(StringComparer.Ordinal);
            await foreach (var e in book.All(site, ct)) if (wanted.Contains(e.Id)) titles[e.Id] = e.Value.Content.Title;
            return new StatusView(status.LastRun, status.NextRun, status.Created, status.Updated, status.Deleted, status.Failed, status.Deferred,
                status.Outcome, audit.Select(a => new AuditView(a.At, a.Operation, a.EntryId, titles.GetValueOrDefault(a.EntryId), a.MeetingId, a.Result)).ToList());
        }).Allow(Access.SiteAdmin);
    }

    static SettingsView View(ZoomSettings s) => new(s.Enabled, s.AccountId, s.ClientId, s.ProtectedClientSecret is not null,
        s.ProtectedWebhookSecretToken is not null, s.LocationName, s.TimeZone, s.OnEntryRemoved, s.InviteAttendees);

    static async Task<SettingsView> PutSettings(HttpContext http, JsonElement body, ZoomSettingsStore store, CancellationToken ct)
    {
        var site = http.RequireSite().SiteId;
        var patch = new PatchBody(body);
        var current = await store.GetStored(site, ct);
        var s = current?.Value ?? new ZoomSettings();
        string? Text(string name, int max)
        {
            if (!patch.Has(name)) return null;
            var value = body.GetProperty(name);
            if (value.ValueKind != JsonValueKind.String) throw Problems.Validation($"{name} is a string.");
            var text = value.GetString()!.Trim();
            return text.Length > max ? throw Problems.Validation($"{name} has at most {max} characters.") : text;
        }
        bool? Flag(string name) => !patch.Has(name) ? null
            : body.GetProperty(name).ValueKind is JsonValueKind.True or JsonValueKind.False ? body.GetProperty(name).GetBoolean()
            : throw Problems.Validation($"{name} is true or false.");

        if (Flag("enabled") is { } enabled) s = s with { Enabled = enabled };
        if (Text("accountId", 100) is { } account) s = s with { AccountId = account };
        if (Text("clientId", 100) is { } client) s = s with { ClientId = client };
        if (Text("clientSecret", 200) is { } secret) s = s with { ProtectedClientSecret = secret.Length == 0 ? null : store.Protect(secret) };
        if (Text("webhookSecretToken", 200) is { } token) s = s with { ProtectedWebhookSecretToken = token.Length == 0 ? null : store.Protect(token) };
        if (Text("locationName", 100) is { } location)
            s = s with { LocationName = location.Length == 0 ? throw Problems.Validation("locationName is required.") : location };
        if (Text("timeZone", 100) is { } zone)
            s = s with { TimeZone = TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _) ? zone : throw Problems.Validation($"'{zone}' is not an IANA timezone.") };
        if (Text("onEntryRemoved", 10) is { } removed)
            s = s with { OnEntryRemoved = removed switch { "delete" => OnEntryRemoved.Delete, "keep" => OnEntryRemoved.Keep, _ => throw Problems.Validation("onEntryRemoved is \"delete\" or \"keep\".") } };
        if (Flag("inviteAttendees") is { } invite) s = s with { InviteAttendees = invite };
        patch.RejectUnknown();
        if (s.Enabled && store.Credentials(site, s) is null)
            // Its own code, so the screen says which settings are missing in the person's language.
            throw Problems.Of(400, "zoom-not-configured", "Zoom is not configured", "Zoom sync needs the Account ID, Client ID and Client Secret before it can be turned on.");
        try { await store.Save(site, s, current?.ETag, ct); }
        catch (ConcurrencyException) { throw Problems.Conflict(); }
        return View(s);
    }

    static async Task<MemberPage> ListMembers(HttpContext http, MemberDirectory members, ZoomSettingsStore store, int? page, int? pageSize, CancellationToken ct)
    {
        var site = http.RequireSite().SiteId;
        var size = Math.Clamp(pageSize ?? 50, 1, 500);
        var number = Math.Max(page ?? 1, 1);
        var zoom = (await store.Members(site, ct)).ToDictionary(m => m.Email);
        var all = new List<MemberView>();
        await foreach (var m in members.All(site, ct))
        {
            var z = zoom.GetValueOrDefault(m.Value.Email);
            all.Add(new MemberView(m.Value.Email, m.Value.Name, z?.ZoomEnabled ?? false, z?.ZoomEmail, z?.ZoomVerified ?? false, z?.VerifyError, z?.VerifyReason));
        }
        return new MemberPage(all.Skip((number - 1) * size).Take(size).ToList(), all.Count);
    }

    /// <summary>Z2 bulk edit: all items are checked before any is saved; each Zoom e-mail is looked up in Zoom.</summary>
    static async Task<MemberPage> PutMembers(HttpContext http, MemberChanges body, MemberDirectory members, ZoomSettingsStore store,
        ZoomClient zoom, CancellationToken ct)
    {
        var site = http.RequireSite().SiteId;
        if (body.Items is not { Count: > 0 } items) throw Problems.Validation("items must list at least one member.");
        if (items.Count > 500) throw Problems.Validation("At most 500 members at once.");
        var current = (await store.Members(site, ct)).ToDictionary(m => m.Email);
        var changes = new List<ZoomMemberSetting>();
        foreach (var item in items)
        {
            var email = Emails.Normalize(item.Email ?? "");
            if (await members.Find(site, email, ct) is null) throw Problems.Validation($"{item.Email} is not a member of this site.");
            var zoomEmail = string.IsNullOrWhiteSpace(item.ZoomEmail) ? null : item.ZoomEmail.Trim();
            if (zoomEmail is not null && !Emails.IsValid(zoomEmail)) throw Problems.Validation($"'{zoomEmail}' is not an e-mail address.");
            var before = current.GetValueOrDefault(email);
            var enabled = item.ZoomEnabled ?? before?.ZoomEnabled ?? false;
            if (enabled && (zoomEmail ?? before?.ZoomEmail) is null) throw Problems.Validation($"{email} needs a Zoom e-mail to be enabled.");
            changes.Add(new ZoomMemberSetting(email, enabled, zoomEmail ?? before?.ZoomEmail, false));
        }
        var settings = await store.Get(site, ct);
        var credentials = store.Credentials(site, settings);
        return await VerifyAndSave(site, changes, credentials, members, store, zoom, ct);
    }

    /// <summary>Z2 "re-check": asks Zoom again about the named members' Zoom e-mails (none named: every unverified one).</summary>
    static async Task<MemberPage> RecheckMembers(HttpContext http, RecheckRequest? body, MemberDirectory members, ZoomSettingsStore store,
        ZoomClient zoom, CancellationToken ct)
    {
        var site = http.RequireSite().SiteId;
        if (body?.Emails is { Count: > 500 }) throw Problems.Validation("At most 500 members at once.");
        var named = body?.Emails?.Select(e => Emails.Normalize(e ?? "")).ToHashSet(StringComparer.Ordinal);
        var current = await store.Members(site, ct);
        if (named is not null && named.FirstOrDefault(e => current.All(m => m.Email != e)) is { } unknown)
            throw Problems.Validation($"{unknown} has no Zoom e-mail on this site.");
        var chosen = current.Where(m => m.ZoomEmail is not null && (named?.Contains(m.Email) ?? !m.ZoomVerified)).ToList();
        var credentials = store.Credentials(site, await store.Get(site, ct));
        return await VerifyAndSave(site, chosen, credentials, members, store, zoom, ct);
    }

    /// <summary>Asks Zoom about each member's Zoom e-mail, saves what it said (verified, or why not) and answers the saved rows.</summary>
    static async Task<MemberPage> VerifyAndSave(string site, IEnumerable<ZoomMemberSetting> settings, ZoomCredentials? credentials,
        MemberDirectory members, ZoomSettingsStore store, ZoomClient zoom, CancellationToken ct)
    {
        var saved = new List<MemberView>();
        foreach (var setting in settings)
        {
            var (verified, _) = await ZoomMemberCheck.Verify(zoom, credentials, setting, ct);
            await store.SaveMember(site, verified, ct);
            var member = await members.Find(site, setting.Email, ct);
            saved.Add(new MemberView(setting.Email, member?.Name ?? setting.Email, verified.ZoomEnabled, verified.ZoomEmail, verified.ZoomVerified, verified.VerifyError, verified.VerifyReason));
        }
        return new MemberPage(saved, saved.Count);
    }

}
