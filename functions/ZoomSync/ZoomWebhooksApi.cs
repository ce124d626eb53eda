using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Zawaroom.Common;
using Zawaroom.Identity;
using Zawaroom.Schedules;
using Zawaroom.Sites;
using Zawaroom.Storage;

namespace Zawaroom.ZoomSync;

/// <summary>Z8: Zoom's event notifications for a site. Proven by x-zm-signature, fresh, and applied once.</summary>
public static class ZoomWebhooksApi
{
    public const string EventKind = "zoomevent";

    public sealed record SeenEvent(string Event, DateTimeOffset At);

    /// <summary>Zoom's event notifications are a few KB; this leaves ample room and nothing to flood memory with.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    public static void MapZoomWebhooks(this RouteGroupBuilder api) =>
        api.MapPost("/webhooks/zoom", Receive).Allow(Access.Anonymous).WithTags("Zoom").DisableAntiforgery().WithBodyLimit(MaxBodyBytes);

    static async Task<IResult> Receive(HttpContext http, ZoomSettingsStore settingsStore, IDocumentStore store, ScheduleBook book,
        TimeProvider clock, IZoomSyncFaults faults, ILoggerFactory loggers, CancellationToken ct)
    {
        var site = http.RequireSite().SiteId;
        // Cheap checks first: an anonymous post without fresh signature headers is refused before its body is read.
        var timestamp = http.Request.Headers["x-zm-request-timestamp"].ToString();
        var signature = http.Request.Headers["x-zm-signature"].ToString();
        if (ZoomWebhookSignature.CheckHeaders(timestamp, signature, clock.GetUtcNow()) is { } stale)
            throw Problems.Of(401, "signature-invalid", "Not from Zoom", stale);
        if (http.Request.ContentLength > MaxBodyBytes) throw BodyLimits.TooLarge(MaxBodyBytes);
        var secret = settingsStore.Unprotect((await settingsStore.Get(site, ct)).ProtectedWebhookSecretToken)
            ?? throw Problems.NotFound("This site receives no Zoom events.");
        var bytes = await BodyLimits.Read(http.Request, MaxBodyBytes, ct);
        string body;
        try { body = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException) { throw Problems.Of(401, "signature-invalid", "Not from Zoom", "The body is not UTF-8."); }
        var refused = ZoomWebhookSignature.Check(secret, timestamp, signature, body, clock.GetUtcNow());
        if (refused is not null) throw Problems.Of(401, "signature-invalid", "Not from Zoom", refused);

        JsonElement root;
        try { root = JsonDocument.Parse(body).RootElement; }
        catch (JsonException) { throw Problems.Validation("The body is not JSON."); }
        var name = root.TryGetProperty("event", out var e) ? e.GetString() ?? "" : "";
        var payload = root.TryGetProperty("payload", out var p) ? p : default;

        if (name == "endpoint.url_validation")
        {
            var plain = payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("plainToken", out var t) ? t.GetString() : null;
            if (string.IsNullOrEmpty(plain)) throw Problems.Validation("payload.plainToken is missing.");
            return Results.Json(new { plainToken = plain, encryptedToken = ZoomWebhookSignature.EncryptedToken(secret, plain) });
        }

        // Zoom redelivers an event up to three times with the same content: the first delivery wins.
        var eventId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            name + "|" + (root.TryGetProperty("event_ts", out var ts) ? ts.GetRawText() : "") + "|" + (payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("object", out var o1) ? o1.GetRawText() : ""))));
        Stored<SeenEvent> seen;
        try { seen = await store.Create(site, EventKind, eventId, new SeenEvent(name, clock.GetUtcNow()), ct); }
        catch (DocumentExistsException) { return Results.Ok(new { status = "duplicate" }); }
        try
        {
            faults.At("webhook-handling");
            await Apply(http, store, book, loggers, site, name, payload, ct);
        }
        catch
        {
            // Not handled, so not seen: Zoom's retry of this delivery is applied instead of answered "duplicate".
            try { await store.Delete(site, EventKind, eventId, seen.ETag, CancellationToken.None); }
            catch (Exception forget) { loggers.CreateLogger("Zawaroom.ZoomSync.Webhooks").LogWarning(forget, "Forgetting the failed Zoom event {Event} of site {Site} failed", eventId, site); }
            throw;
        }
        return Results.Ok(new { status = "applied" });
    }

    static async Task Apply(HttpContext http, IDocumentStore store, ScheduleBook book, ILoggerFactory loggers, string site, string name,
        JsonElement payload, CancellationToken ct)
    {

        if (name == "meeting.deleted" && payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("object", out var meeting)
            && meeting.TryGetProperty("id", out var idValue) && TryLong(idValue, out var meetingId)
            && !meeting.TryGetProperty("occurrences", out _))
        {
            var links = new List<Stored<MeetingLink>>();
            await foreach (var l in store.List<MeetingLink>(site, SiteSync.LinkKind, ct)) links.Add(l);
            foreach (var link in links)
            {
                if (link.Value.MeetingId != meetingId || link.Value.State != LinkState.Linked) continue;
                await store.Replace(site, SiteSync.LinkKind, link.Id, link.Value with { State = LinkState.Unlinked }, link.ETag, ct);
                await book.SetZoom(site, link.Value.EntryId, new ZoomLinkState("none", Error: "The meeting was deleted in Zoom."), ct);
                loggers.CreateLogger("Zawaroom.ZoomSync.Webhooks").LogInformation("Zoom meeting {Meeting} of site {Site} was deleted in Zoom; entry {Entry} unlinked",
                    meetingId, site, link.Value.EntryId);
            }
        }
        if (name is Live.ZoomPresence.Started or Live.ZoomPresence.Ended)
            await http.RequestServices.GetRequiredService<Live.ZoomPresence>().Apply(site, name, payload, ct);
    }

    static bool TryLong(JsonElement value, out long id)
    {
        id = 0;
        return value.ValueKind == JsonValueKind.Number ? value.TryGetInt64(out id) : long.TryParse(value.GetString(), out id);
    }
}
