using Zawaroom.Schedules;
using Zawaroom.Storage;

namespace Zawaroom.ZoomSync;

/// <summary>Crash points a test can fire during a create (intent written, Zoom answered, link written).</summary>
public interface IZoomSyncFaults
{
    void At(string step);
}

public sealed class NoFaults : IZoomSyncFaults
{
    public void At(string step) { }
}

public sealed record SyncAudit(DateTimeOffset At, string Operation, string EntryId, long? MeetingId, string Result);

/// <summary>Z9: a site's last run and its counts.</summary>
public sealed record SyncStatus(DateTimeOffset? LastRun, DateTimeOffset? NextRun, int Created, int Updated, int Deleted, int Failed, int Deferred, string? Outcome);

/// <summary>How one site run ended: "done", "busy" (another instance holds the site), "disabled", "not-configured".</summary>
public sealed record SiteRunResult(string Outcome, int Created = 0, int Updated = 0, int Deleted = 0, int Failed = 0, int Deferred = 0, int ZoomCalls = 0);

/// <summary>
/// One site's reconciliation (Z5-Z7): under an ETag-guarded lease, plan from entries and links, then run
/// the activities. Every create writes its intent first and carries its key in the meeting, so a run that
/// dies after Zoom answered is healed by the next run finding the meeting, never by creating a second one.
/// </summary>
public sealed class SiteSync(IDocumentStore store, ScheduleBook book, ZoomSettingsStore settingsStore, ZoomClient zoom,
    IZoomSyncFaults faults, TimeProvider clock, ILogger<SiteSync> logger, Microsoft.Extensions.Options.IOptions<ZoomOptions>? options = null)
{
    public const string LinkKind = "zoomlink";
    public const string LeaseKind = "zoomlease";
    public const string BudgetKind = "zoombudget";
    public const string AuditKind = "zoomaudit";
    public const string StatusKind = "zoomstatus";
    public const int DailyBudget = 100;
    public const int MaxAudit = 5_000;
    // How long a run's lease holds unrenewed: a killed run blocks the site's sync this long (Zawaroom:Zoom:LeaseTime).
    TimeSpan LeaseTime { get; } = options?.Value.LeaseTime ?? ZoomOptions.DefaultLeaseTime;

    public sealed record Lease(string Holder, DateTimeOffset ExpiresAt);

    // Orders audit records written within one clock tick.
    static long _auditSequence;

    IDocumentStore Docs => store;
    ScheduleBook Book => book;
    ZoomClient Zoom => zoom;
    IZoomSyncFaults Faults => faults;
    TimeProvider Clock => clock;
    ZoomSettingsStore Settings => settingsStore;

    public async Task<SiteRunResult> Run(string siteId, DateTimeOffset? nextRun, CancellationToken ct)
    {
        var settings = await settingsStore.Get(siteId, ct);
        if (!settings.Enabled) return new SiteRunResult("disabled");
        var credentials = settingsStore.Credentials(siteId, settings);
        if (credentials is null) return new SiteRunResult("not-configured");
        var holder = Guid.NewGuid().ToString("N");
        var lease = await TakeLease(siteId, holder, ct);
        if (lease is null) return new SiteRunResult("busy");
        var run = new SiteRun(this, siteId, credentials, settings, holder, lease);
        try
        {
            var result = await run.Execute(ct);
            await store.Replace(siteId, StatusKind, "status", new SyncStatus(clock.GetUtcNow(), nextRun, result.Created, result.Updated,
                result.Deleted, result.Failed, result.Deferred, result.Outcome), null, ct);
            return result;
        }
        finally
        {
            // Only our own lease: a run slower than the lease may find it taken over by another holder, whose lease stays.
            try { await store.Delete(siteId, LeaseKind, "lease", run.LeaseETag, CancellationToken.None); }
            catch (ConcurrencyException) { logger.LogInformation("The Zoom sync lease of site {Site} was taken over before this run ended; left to its holder", siteId); }
            catch (Exception e) { logger.LogWarning(e, "Releasing the Zoom sync lease of site {Site} failed", siteId); }
        }
    }

    /// <summary>The lease: created if absent, taken over if expired, both guarded by the ETag so two takers cannot both win.</summary>
    async Task<string?> TakeLease(string siteId, string holder, CancellationToken ct)
    {
        var lease = new Lease(holder, clock.GetUtcNow() + LeaseTime);
        var current = await store.Get<Lease>(siteId, LeaseKind, "lease", ct);
        try
        {
            if (current is null) return (await store.Create(siteId, LeaseKind, "lease", lease, ct)).ETag;
            if (current.Value.ExpiresAt > clock.GetUtcNow()) return null;
            return (await store.Replace(siteId, LeaseKind, "lease", lease, current.ETag, ct)).ETag;
        }
        catch (Exception e) when (e is DocumentExistsException or ConcurrencyException)
        {
            return null;
        }
    }

    sealed class SiteRun(SiteSync sync, string siteId, ZoomCredentials credentials, ZoomSettings settings, string holder, string leaseETag)
    {
        readonly Dictionary<string, List<ZoomMeeting>> _upcoming = new(StringComparer.OrdinalIgnoreCase);
        readonly HashSet<string> _spentHosts = new(StringComparer.OrdinalIgnoreCase);
        string _leaseETag = leaseETag;

        /// <summary>The ETag of the lease as this run last wrote it.</summary>
        public string LeaseETag => _leaseETag;
        DateTimeOffset _leaseRenewAt = sync.Clock.GetUtcNow() + sync.LeaseTime / 2;
        int _created, _updated, _deleted, _failed, _deferred, _calls;

        IDocumentStore Store => sync.Docs;

        public async Task<SiteRunResult> Execute(CancellationToken ct)
        {
            var zone = ZoomSettingsStore.Zone(settings);
            var window = SyncWindow.At(sync.Clock.GetUtcNow(), zone);
            var syncSettings = new SyncSettings(settings.LocationName, zone, settings.InviteAttendees, settings.OnEntryRemoved);
            var members = await CheckUnverified(await sync.Settings.Members(siteId, ct), ct);
            var hosts = members.Where(m => m.ZoomEnabled && m.ZoomVerified && m.ZoomEmail is not null)
                .ToDictionary(m => m.Email, m => m.ZoomEmail!, StringComparer.Ordinal);
            var entries = new Dictionary<string, ScheduleEntry>(StringComparer.Ordinal);
            await foreach (var e in sync.Book.All(siteId, ct)) entries[e.Id] = e.Value;
            await MarkBlocked(members, entries.Values, syncSettings, window, ct);
            var desired = entries.Values.SelectMany(e => DesiredMeetings.For(e, hosts, syncSettings, window)).ToList();
            var links = await Store.ListValues<MeetingLink>(siteId, LinkKind, ct);
            var plan = SyncPlanner.Plan(desired, links,
                id => entries.TryGetValue(id, out var e) && DesiredMeetings.Qualifies(e, hosts, syncSettings), window, settings.OnEntryRemoved);

            foreach (var operation in plan)
            {
                await RenewLease(ct);
                try
                {
                    switch (operation)
                    {
                        case CreateMeeting c: await Create(c.Meeting, c.Intent, ct); break;
                        case UpdateMeeting u: await Update(u.Meeting, u.Link, ct); break;
                        case DeleteMeeting d: await Delete(d.Link, ct); break;
                        case ForgetMeeting f: await Forget(f.Link, ct); break;
                        case ChangeOccurrence o: await Occurrence(o.Meeting, o.Link.MeetingId!.Value, o.Change, ct); break;
                    }
                }
                catch (ZoomException e) when (e.IsDailyLimit)
                {
                    var host = operation switch
                    {
                        CreateMeeting cm => cm.Meeting.Host, UpdateMeeting um => um.Meeting.Host, ChangeOccurrence co => co.Meeting.Host, _ => "",
                    };
                    _spentHosts.Add(host);
                    await Deferred(operation.EntryId, ct);
                }
                catch (ZoomException e) when (e.IsRateLimited)
                {
                    // Still too fast after the HTTP retries: the rest of the plan would be refused too. The run stops here
                    // (all done so far is recorded) and the orchestration tries it again after Zoom's Retry-After.
                    throw ZoomRateLimitedException.From(e);
                }
                catch (ZoomException e)
                {
                    _failed++;
                    await Audit(Name(operation), operation.EntryId, null, "error: " + e.ZoomMessage, ct);
                    await sync.Book.SetZoom(siteId, operation.EntryId, new ZoomLinkState("error", Error: e.ZoomMessage), ct);
                }
                catch (Exception e) when (ZoomUnreachable.Is(e, ct))
                {
                    _failed++;
                    await Audit(Name(operation), operation.EntryId, null, "error: Zoom could not be reached: " + ZoomUnreachable.Reason(e), ct);
                    await sync.Book.SetZoom(siteId, operation.EntryId, new ZoomLinkState("error", Error: "Zoom could not be reached: " + ZoomUnreachable.Reason(e)), ct);
                }
            }
            await Prune(ct);
            return new SiteRunResult("done", _created, _updated, _deleted, _failed, _deferred, _calls);
        }

        /// <summary>
        /// Z2/Z9: a member whose sync is on but whose Zoom e-mail is not verified (Zoom was unreachable, the credentials came
        /// later) is asked about again; a check that gets no answer from Zoom counts as failed, with its reason in the audit.
        /// </summary>
        async Task<List<ZoomMemberSetting>> CheckUnverified(List<ZoomMemberSetting> members, CancellationToken ct)
        {
            var result = new List<ZoomMemberSetting>(members.Count);
            foreach (var m in members)
            {
                if (!m.ZoomEnabled || m.ZoomVerified || m.ZoomEmail is null) { result.Add(m); continue; }
                _calls++;
                var (verified, callFailed) = await ZoomMemberCheck.Verify(sync.Zoom, credentials, m, ct);
                if (verified != m) await sync.Settings.SaveMember(siteId, verified, ct);
                if (callFailed)
                {
                    _failed++;
                    await Audit("verify-member", m.Email, null, "error: " + verified.VerifyError, ct);
                }
                else await Audit("verify-member", m.Email, null, verified.ZoomVerified ? "ok" : "error: " + verified.VerifyError, ct);
                result.Add(verified);
            }
            return result;
        }

        /// <summary>An entry that should be a meeting but whose owner's Zoom e-mail is unverified shows the error and why.</summary>
        async Task MarkBlocked(List<ZoomMemberSetting> members, IEnumerable<ScheduleEntry> entries, SyncSettings syncSettings, SyncWindow window,
            CancellationToken ct)
        {
            var blocked = members.Where(m => m.ZoomEnabled && !m.ZoomVerified && m.ZoomEmail is not null)
                .ToDictionary(m => m.Email, m => m.ZoomEmail!, StringComparer.Ordinal);
            if (blocked.Count == 0) return;
            var why = members.Where(m => blocked.ContainsKey(m.Email)).ToDictionary(m => m.Email, m => m.VerifyError, StringComparer.Ordinal);
            foreach (var e in entries.Where(e => DesiredMeetings.For(e, blocked, syncSettings, window).Any()))
            {
                // Not synced this run: counted, so the run does not read as a clean one.
                _failed++;
                var reason = $"The owner's Zoom e-mail is not verified: {why[e.Owner]}";
                if (e.Zoom is { State: "error" } z && z.Error == reason) continue;
                await sync.Book.SetZoom(siteId, e.Id, new ZoomLinkState("error", Error: reason), ct);
            }
        }

        /// <summary>Keeps the audit to its newest records and forgets webhook deliveries past Zoom's retry period.</summary>
        async Task Prune(CancellationToken ct)
        {
            var audit = new List<string>();
            await foreach (var a in Store.List<SyncAudit>(siteId, AuditKind, ct)) audit.Add(a.Id);
            foreach (var id in audit.Take(Math.Max(0, audit.Count - MaxAudit))) await Store.Delete(siteId, AuditKind, id, null, ct);
            var events = new List<Stored<ZoomWebhooksApi.SeenEvent>>();
            await foreach (var e in Store.List<ZoomWebhooksApi.SeenEvent>(siteId, ZoomWebhooksApi.EventKind, ct)) events.Add(e);
            foreach (var e in events.Where(e => e.Value.At < sync.Clock.GetUtcNow() - TimeSpan.FromDays(1)))
                await Store.Delete(siteId, ZoomWebhooksApi.EventKind, e.Id, null, ct);
        }

        static string Name(SyncOperation o) => o switch
        {
            CreateMeeting => "create", UpdateMeeting => "update", DeleteMeeting => "delete",
            ChangeOccurrence { Change.Start: null } => "delete-occurrence", ChangeOccurrence => "update-occurrence", _ => "forget",
        };

        async Task Create(DesiredMeeting meeting, MeetingLink? intent, CancellationToken ct)
        {
            if (intent is not null)
            {
                // A previous run wrote the intent and may have died after Zoom created the meeting: look first.
                var found = (await Upcoming(meeting.Host, ct)).FirstOrDefault(m => DesiredMeetings.KeyIn(m.Agenda) == meeting.Key);
                if (found is not null)
                {
                    var adopted = intent with { State = LinkState.Linked, MeetingId = found.Id, JoinUrl = found.JoinUrl };
                    await Store.Replace(siteId, LinkKind, meeting.Key, adopted, null, ct);
                    await Audit("recover", meeting.EntryId, found.Id, "found", ct);
                    if (adopted.Fingerprint != meeting.Fingerprint || adopted.Host != meeting.Host) await Update(meeting, adopted, ct);
                    else
                    {
                        await Linked(meeting.EntryId, adopted, ct);
                        await ApplyExceptions(meeting, found.Id, ct);
                    }
                    return;
                }
            }
            if (!await SpendBudget(meeting, ct)) return;
            var pending = new MeetingLink
            {
                Key = meeting.Key, EntryId = meeting.EntryId, Host = meeting.Host, Type = meeting.Type, Start = meeting.Start,
                Fingerprint = meeting.Fingerprint, State = LinkState.Pending,
            };
            await Store.Replace(siteId, LinkKind, meeting.Key, pending, null, ct);
            sync.Faults.At("intent-written");
            _calls++;
            var created = await sync.Zoom.CreateMeeting(credentials, meeting, ct);
            sync.Faults.At("zoom-created");
            var link = pending with { State = LinkState.Linked, MeetingId = created.Id, JoinUrl = created.JoinUrl };
            await Store.Replace(siteId, LinkKind, meeting.Key, link, null, ct);
            sync.Faults.At("link-written");
            _created++;
            await Audit("create", meeting.EntryId, created.Id, "ok", ct);
            await Linked(meeting.EntryId, link, ct);
            await ApplyExceptions(meeting, created.Id, ct);
        }

        /// <summary>
        /// After a create or a change of the whole series: every exception of the meeting, one call each, each recorded
        /// on the link when Zoom has it, so a run that dies half-way is finished by the next (the calls are idempotent).
        /// </summary>
        async Task ApplyExceptions(DesiredMeeting meeting, long meetingId, CancellationToken ct)
        {
            foreach (var change in meeting.OccurrenceChanges) await Occurrence(meeting, meetingId, change, ct);
        }

        async Task Occurrence(DesiredMeeting meeting, long meetingId, OccurrenceChange change, CancellationToken ct)
        {
            string result;
            if (change.Start is null)
            {
                _calls++;
                result = await sync.Zoom.DeleteOccurrence(credentials, meetingId, change.OccurrenceId, ct) ? "ok" : "already-deleted";
                _deleted++;
            }
            else
            {
                if (!await SpendBudget(meeting, ct)) return;
                _calls++;
                await sync.Zoom.UpdateOccurrence(credentials, meetingId, change.OccurrenceId, change.Start.Value, change.DurationMinutes, meeting.TimeZone, ct);
                _updated++;
                result = change.Restore ? "restored" : "ok";
            }
            sync.Faults.At("occurrence-changed");
            await Store.Update<MeetingLink>(siteId, LinkKind, meeting.Key, l =>
            {
                var applied = new Dictionary<string, string>(l.Applied ?? new Dictionary<string, string>(), StringComparer.Ordinal);
                if (change.Restore) applied.Remove(change.OccurrenceId);
                else applied[change.OccurrenceId] = change.Spec;
                return l with { Applied = applied };
            }, ct);
            await Audit(change.Start is null ? "delete-occurrence" : "update-occurrence", meeting.EntryId, meetingId, $"{result} {change.OccurrenceId}", ct);
        }

        async Task Update(DesiredMeeting meeting, MeetingLink link, CancellationToken ct)
        {
            if (!await SpendBudget(meeting, ct)) return;
            _calls++;
            try
            {
                await sync.Zoom.UpdateMeeting(credentials, link.MeetingId!.Value, meeting, ct);
            }
            catch (ZoomException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
            {
                // Gone from Zoom without our hearing of it; the entry changed, so it is made again.
                await Store.Delete(siteId, LinkKind, link.Key, null, ct);
                await Audit("update", meeting.EntryId, link.MeetingId, "gone", ct);
                await Create(meeting, null, ct);
                return;
            }
            // A changed series may have its occurrences made anew by Zoom: its exceptions are applied again.
            var updated = link with { Fingerprint = meeting.Fingerprint, Start = meeting.Start, State = LinkState.Linked, Applied = null };
            await Store.Replace(siteId, LinkKind, link.Key, updated, null, ct);
            _updated++;
            await Audit("update", meeting.EntryId, link.MeetingId, "ok", ct);
            await Linked(meeting.EntryId, updated, ct);
            await ApplyExceptions(meeting, link.MeetingId.Value, ct);
        }

        async Task Delete(MeetingLink link, CancellationToken ct)
        {
            var meetingId = link.MeetingId;
            if (meetingId is null)
                meetingId = (await Upcoming(link.Host, ct)).FirstOrDefault(m => DesiredMeetings.KeyIn(m.Agenda) == link.Key)?.Id;
            if (meetingId is not null)
            {
                _calls++;
                var existed = await sync.Zoom.DeleteMeeting(credentials, meetingId.Value, ct);
                await Audit("delete", link.EntryId, meetingId, existed ? "ok" : "already-deleted", ct);
                _deleted++;
            }
            await Store.Delete(siteId, LinkKind, link.Key, null, ct);
            await sync.Book.SetZoom(siteId, link.EntryId, ZoomLinkState.None, ct);
        }

        async Task Forget(MeetingLink link, CancellationToken ct)
        {
            await Store.Delete(siteId, LinkKind, link.Key, null, ct);
            await Audit("keep", link.EntryId, link.MeetingId, "unlinked", ct);
            await sync.Book.SetZoom(siteId, link.EntryId, ZoomLinkState.None, ct);
        }

        Task Linked(string entryId, MeetingLink link, CancellationToken ct) =>
            sync.Book.SetZoom(siteId, entryId, new ZoomLinkState("linked", link.JoinUrl, link.MeetingId), ct);

        async Task Deferred(string entryId, CancellationToken ct)
        {
            _deferred++;
            await sync.Book.SetZoom(siteId, entryId, new ZoomLinkState("deferred", Error: "Zoom's daily limit of 100 meeting changes for this host is spent; continues after 00:00 UTC."), ct);
        }

        /// <summary>Z7: 100 creates/updates per host per UTC day; work beyond it is deferred, never dropped.</summary>
        async Task<bool> SpendBudget(DesiredMeeting meeting, CancellationToken ct)
        {
            if (_spentHosts.Contains(meeting.Host)) { await Deferred(meeting.EntryId, ct); return false; }
            var id = $"{meeting.Host}|{sync.Clock.GetUtcNow().UtcDateTime:yyyy-MM-dd}";
            for (var attempt = 0; ; attempt++)
            {
                var current = await Store.Get<int[]>(siteId, BudgetKind, id, ct);
                var used = current?.Value[0] ?? 0;
                if (used >= DailyBudget)
                {
                    _spentHosts.Add(meeting.Host);
                    await Deferred(meeting.EntryId, ct);
                    return false;
                }
                try
                {
                    if (current is null) await Store.Create(siteId, BudgetKind, id, new[] { 1 }, ct);
                    else await Store.Replace(siteId, BudgetKind, id, new[] { used + 1 }, current.ETag, ct);
                    return true;
                }
                catch (Exception e) when (e is ConcurrencyException or DocumentExistsException && attempt < 5)
                {
                }
            }
        }

        async Task<List<ZoomMeeting>> Upcoming(string host, CancellationToken ct)
        {
            if (_upcoming.TryGetValue(host, out var cached)) return cached;
            _calls++;
            var meetings = await sync.Zoom.UpcomingMeetings(credentials, host, ct);
            _upcoming[host] = meetings;
            return meetings;
        }

        async Task RenewLease(CancellationToken ct)
        {
            if (sync.Clock.GetUtcNow() < _leaseRenewAt) return;
            var renewed = await Store.Replace(siteId, LeaseKind, "lease", new Lease(holder, sync.Clock.GetUtcNow() + sync.LeaseTime), _leaseETag, ct);
            _leaseETag = renewed.ETag;
            _leaseRenewAt = sync.Clock.GetUtcNow() + sync.LeaseTime / 2;
        }

        Task Audit(string operation, string entryId, long? meetingId, string result, CancellationToken ct)
        {
            var at = sync.Clock.GetUtcNow();
            return Store.Create(siteId, AuditKind, $"{at.UtcTicks:D20}-{Interlocked.Increment(ref _auditSequence):D10}-{Guid.NewGuid():N}"[..40], new SyncAudit(at, operation, entryId, meetingId, result), ct);
        }
    }
}
