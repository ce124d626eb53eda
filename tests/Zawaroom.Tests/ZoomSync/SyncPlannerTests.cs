using Zawaroom.Schedules;
using Zawaroom.ZoomSync;

namespace Zawaroom.Tests.ZoomSync;

public sealed class SyncWindowTests
{
    static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    [Fact]
    public void The_window_is_the_current_month_and_the_next_two_in_the_site_timezone()
    {
        var window = SyncWindow.At(DateTimeOffset.Parse("2026-11-15T03:00:00Z"), Tokyo);
        Assert.Equal(DateTimeOffset.Parse("2026-11-01T00:00:00+09:00"), window.From);
        Assert.Equal(DateTimeOffset.Parse("2027-02-01T00:00:00+09:00"), window.To);
    }

    [Fact]
    public void A_month_boundary_in_the_site_timezone_moves_the_window_before_it_does_in_utc()
    {
        // 2026-11-30T16:00Z is already December 1st in Tokyo.
        var window = SyncWindow.At(DateTimeOffset.Parse("2026-11-30T16:00:00Z"), Tokyo);
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T00:00:00+09:00"), window.From);
        Assert.Equal(DateTimeOffset.Parse("2027-03-01T00:00:00+09:00"), window.To);
        Assert.False(window.Contains(DateTimeOffset.Parse("2026-11-30T23:59:00+09:00")));
    }

    [Theory]
    [InlineData("Zoom 会議")]
    [InlineData("zoom 会議")]
    [InlineData("ＺＯＯＭ　会議")]
    [InlineData("  Zoom   会議 ")]
    [InlineData("ｚｏｏｍ 会議")]
    public void The_location_matches_ignoring_case_and_width(string location) =>
        Assert.True(LocationMatch.Matches(location, "Zoom 会議"));

    [Theory]
    [InlineData("Zoom")]
    [InlineData("会議室 A")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_locations_do_not_match(string? location) => Assert.False(LocationMatch.Matches(location, "Zoom 会議"));
}

public sealed class ZoomRecurrenceTests
{
    static EntryContent Rule(string? rrule, params string[] exdates) => new("定例", DateTimeOffset.Parse("2026-12-07T10:00:00+09:00"),
        DateTimeOffset.Parse("2026-12-07T11:00:00+09:00"), false, "Zoom 会議", "", [], rrule, exdates.Select(DateTimeOffset.Parse).ToList());

    [Fact]
    public void Weekly_days_with_a_count_become_a_zoom_weekly_recurrence() =>
        Assert.Equal(new ZoomRecurrence(2, 1, WeeklyDays: "2,4", EndTimes: 10), ZoomRecurrences.From(Rule("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10")));

    [Fact]
    public void A_monthly_second_tuesday_becomes_monthly_week_and_day() =>
        Assert.Equal(new ZoomRecurrence(3, 1, MonthlyWeek: 2, MonthlyWeekDay: 3, EndDateTime: DateTimeOffset.Parse("2027-06-30T00:00:00Z")),
            ZoomRecurrences.From(Rule("FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270630T000000Z")));

    [Fact]
    public void Daily_every_other_day_is_expressible() =>
        Assert.Equal(new ZoomRecurrence(1, 2, EndTimes: 5), ZoomRecurrences.From(Rule("FREQ=DAILY;INTERVAL=2;COUNT=5")));

    [Theory]
    [InlineData("FREQ=WEEKLY;BYDAY=MO")]                 // never ends
    [InlineData("FREQ=YEARLY;COUNT=3")]                  // Zoom has no yearly
    [InlineData("FREQ=MONTHLY;BYDAY=MO,TU;COUNT=3")]      // two monthly days
    [InlineData("FREQ=WEEKLY;COUNT=100")]                // beyond Zoom's 60 occurrences
    [InlineData("FREQ=DAILY;BYHOUR=9;COUNT=3")]          // unknown part
    public void Rules_zoom_cannot_express_give_no_recurrence(string rrule) => Assert.Null(ZoomRecurrences.From(Rule(rrule)));

    [Fact]
    public void A_rule_with_exceptions_keeps_its_zoom_recurrence() =>
        Assert.Equal(2, ZoomRecurrences.From(Rule("FREQ=WEEKLY;COUNT=5", "2026-12-14T10:00:00+09:00"))!.Type);
}

public sealed class SyncPlannerTests
{
    static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
    static readonly SyncWindow December = SyncWindow.At(DateTimeOffset.Parse("2026-12-02T00:00:00+09:00"), Tokyo);
    static readonly SyncSettings Settings = new("Zoom 会議", Tokyo, InviteAttendees: true, OnEntryRemoved.Delete);
    static readonly Dictionary<string, string> Hosts = new() { ["alice@x.example"] = "alice@zoom.example" };

    static ScheduleEntry Entry(string id = "e1", string start = "2026-12-07T10:00:00+09:00", string location = "Zoom 会議",
        string? rrule = null, string[]? attendees = null, string owner = "alice@x.example", string[]? exdates = null)
    {
        var s = DateTimeOffset.Parse(start);
        return new ScheduleEntry
        {
            Id = id, Owner = owner, Uid = id,
            Content = new EntryContent("定例", s, s.AddHours(1), false, location, "議題", attendees ?? [], rrule,
                (exdates ?? []).Select(DateTimeOffset.Parse).ToList()),
        };
    }

    static List<DesiredMeeting> Desired(params ScheduleEntry[] entries) =>
        entries.SelectMany(e => DesiredMeetings.For(e, Hosts, Settings, December)).ToList();

    static MeetingLink Linked(DesiredMeeting m, LinkState state = LinkState.Linked, string? fingerprint = null) => new()
    {
        Key = m.Key, EntryId = m.EntryId, Host = m.Host, Type = m.Type, Start = m.Start,
        Fingerprint = fingerprint ?? m.Fingerprint, State = state, MeetingId = 100, JoinUrl = "https://zoom.example/j/100",
    };

    static IReadOnlyList<SyncOperation> Plan(List<DesiredMeeting> desired, List<MeetingLink> links, OnEntryRemoved policy = OnEntryRemoved.Delete,
        params string[] qualifying) =>
        SyncPlanner.Plan(desired, links, id => qualifying.Contains(id), December, policy);

    [Fact]
    public void A_new_matching_entry_is_created_with_its_key_in_the_agenda_and_its_attendees_invited()
    {
        var desired = Desired(Entry(attendees: ["bob@x.example"]));
        var create = Assert.IsType<CreateMeeting>(Assert.Single(Plan(desired, [])));
        Assert.Equal("e1", DesiredMeetings.KeyIn(create.Meeting.Agenda));
        Assert.Equal(["bob@x.example"], create.Meeting.Invitees);
        Assert.Equal("alice@zoom.example", create.Meeting.Host);
        Assert.Equal(60, create.Meeting.DurationMinutes);
    }

    [Fact]
    public void Nothing_changed_plans_nothing() =>
        Assert.Empty(Plan(Desired(Entry()), [Linked(Desired(Entry())[0])], qualifying: "e1"));

    [Fact]
    public void A_time_change_updates_the_meeting_in_place()
    {
        var before = Desired(Entry())[0];
        var update = Assert.IsType<UpdateMeeting>(Assert.Single(Plan(Desired(Entry(start: "2026-12-07T15:00:00+09:00")), [Linked(before)], qualifying: "e1")));
        Assert.Equal(100, update.Link.MeetingId);
    }

    [Fact]
    public void A_removed_location_deletes_the_meeting_or_keeps_it_per_site_choice()
    {
        var link = Linked(Desired(Entry())[0]);
        var changed = Desired(Entry(location: "会議室"));
        Assert.IsType<DeleteMeeting>(Assert.Single(Plan(changed, [link])));
        Assert.IsType<ForgetMeeting>(Assert.Single(Plan(changed, [link], OnEntryRemoved.Keep)));
    }

    [Fact]
    public void A_deleted_entry_deletes_its_meeting() =>
        Assert.IsType<DeleteMeeting>(Assert.Single(Plan([], [Linked(Desired(Entry())[0])])));

    [Fact]
    public void Entries_outside_the_window_are_ignored_and_their_meetings_left_alone()
    {
        Assert.Empty(Desired(Entry(start: "2027-03-01T10:00:00+09:00"), Entry(id: "old", start: "2026-11-30T10:00:00+09:00")));
        var past = Linked(Desired(Entry())[0]) with { Start = DateTimeOffset.Parse("2026-11-20T10:00:00+09:00") };
        Assert.Empty(Plan([], [past], qualifying: "e1"));
    }

    [Fact]
    public void Members_without_zoom_and_all_day_entries_get_no_meeting()
    {
        Assert.Empty(Desired(Entry(owner: "carol@x.example")));
        var allDay = Entry() with { Content = Entry().Content with { AllDay = true } };
        Assert.Empty(Desired(allDay));
    }

    [Fact]
    public void A_rule_zoom_can_express_is_one_recurring_meeting()
    {
        var meeting = Assert.Single(Desired(Entry(rrule: "FREQ=WEEKLY;BYDAY=MO;COUNT=8")));
        Assert.Equal(8, meeting.Type);
        Assert.Equal("2", meeting.Recurrence!.WeeklyDays);
    }

    [Fact]
    public void A_rule_zoom_cannot_express_is_one_meeting_per_occurrence_in_the_window()
    {
        var meetings = Desired(Entry(rrule: "FREQ=WEEKLY;BYDAY=MO", exdates: ["2026-12-14T10:00:00+09:00"]));
        // Mondays from Dec 7 2026 to Feb 22 2027 (12), less the exception.
        Assert.Equal(11, meetings.Count);
        Assert.All(meetings, m => Assert.Equal(2, m.Type));
        Assert.Equal(meetings.Count, meetings.Select(m => m.Key).Distinct().Count());
    }

    [Fact]
    public void Adding_an_exception_deletes_that_occurrences_meeting_only()
    {
        var before = Desired(Entry(rrule: "FREQ=WEEKLY;BYDAY=MO", exdates: ["2026-12-28T10:00:00+09:00"]));
        var after = Desired(Entry(rrule: "FREQ=WEEKLY;BYDAY=MO", exdates: ["2026-12-28T10:00:00+09:00", "2026-12-14T10:00:00+09:00"]));
        var operations = Plan(after, before.Select(m => Linked(m)).ToList(), qualifying: "e1");
        var delete = Assert.IsType<DeleteMeeting>(Assert.Single(operations));
        Assert.EndsWith("@20261214T010000Z", delete.Link.Key);
    }

    static ScheduleEntry Series(string[]? exdates = null, params MovedOccurrence[] moved)
    {
        var entry = Entry(rrule: "FREQ=WEEKLY;BYDAY=MO;COUNT=8", exdates: exdates);
        return entry with { Content = entry.Content with { Moved = moved.Length == 0 ? null : moved } };
    }

    static readonly DateTimeOffset Dec14 = DateTimeOffset.Parse("2026-12-14T10:00:00+09:00");
    static readonly DateTimeOffset Dec21 = DateTimeOffset.Parse("2026-12-21T10:00:00+09:00");
    static readonly MovedOccurrence Dec21ToTuesday = new(Dec21, Dec21.AddDays(1).AddHours(5), Dec21.AddDays(1).AddHours(6).AddMinutes(30));

    static MeetingLink Applied(DesiredMeeting m, params (DateTimeOffset Occurrence, string Spec)[] applied) =>
        Linked(m) with { Applied = applied.ToDictionary(a => OccurrenceChange.IdOf(a.Occurrence), a => a.Spec) };

    [Fact]
    public void A_recurrence_with_an_exdate_and_a_moved_occurrence_stays_one_recurring_meeting_with_two_exceptions()
    {
        var meeting = Assert.Single(Desired(Series(["2026-12-14T10:00:00+09:00"], Dec21ToTuesday)));

        Assert.Equal(8, meeting.Type);
        Assert.Equal(Assert.Single(Desired(Series())).Fingerprint, meeting.Fingerprint);
        var deleted = meeting.OccurrenceChanges.Single(x => x.Start is null);
        Assert.Equal(Dec14.ToUnixTimeMilliseconds().ToString(), deleted.OccurrenceId);
        var moved = meeting.OccurrenceChanges.Single(x => x.Start is not null);
        Assert.Equal(Dec21.ToUnixTimeMilliseconds().ToString(), moved.OccurrenceId);
        Assert.Equal(DateTimeOffset.Parse("2026-12-22T15:00:00+09:00"), moved.Start);
        Assert.Equal(90, moved.DurationMinutes);
    }

    [Fact]
    public void An_exdate_deletes_and_a_move_updates_only_that_occurrence_of_the_linked_meeting()
    {
        var before = Assert.Single(Desired(Series()));
        var after = Desired(Series(["2026-12-14T10:00:00+09:00"], Dec21ToTuesday));

        var operations = Plan(after, [Linked(before)], qualifying: "e1");

        Assert.Equal(2, operations.Count);
        Assert.All(operations, o => Assert.IsType<ChangeOccurrence>(o));
        Assert.Contains(operations, o => o is ChangeOccurrence { Change.Start: null } c && c.Change.OccurrenceId == OccurrenceChange.IdOf(Dec14));
        Assert.Contains(operations, o => o is ChangeOccurrence { Change.Start: not null } c && c.Change.OccurrenceId == OccurrenceChange.IdOf(Dec21));
    }

    [Fact]
    public void Exceptions_already_in_zoom_plan_nothing()
    {
        var desired = Desired(Series(["2026-12-14T10:00:00+09:00"], Dec21ToTuesday));
        var spec = desired[0].OccurrenceChanges.Single(x => x.Start is not null).Spec;

        Assert.Empty(Plan(desired, [Applied(desired[0], (Dec14, "deleted"), (Dec21, spec))], qualifying: "e1"));
    }

    [Fact]
    public void Taking_back_a_move_moves_the_occurrence_back_and_taking_back_an_exdate_makes_the_series_anew()
    {
        var desired = Desired(Series());
        var movedSpec = Assert.Single(Desired(Series(null, Dec21ToTuesday))).OccurrenceChanges[0].Spec;

        var back = Assert.IsType<ChangeOccurrence>(Assert.Single(Plan(desired, [Applied(desired[0], (Dec21, movedSpec))], qualifying: "e1")));
        Assert.True(back.Change.Restore);
        Assert.Equal(Dec21, back.Change.Start);

        var anew = Plan(desired, [Applied(desired[0], (Dec14, "deleted"))], qualifying: "e1");
        Assert.IsType<DeleteMeeting>(anew[0]);
        Assert.IsType<CreateMeeting>(anew[1]);
    }

    [Fact]
    public void Exceptions_before_the_window_are_history_and_left_alone()
    {
        var desired = Desired(Series());
        var november = DateTimeOffset.Parse("2026-11-30T10:00:00+09:00");

        Assert.Empty(Plan(desired, [Applied(desired[0], (november, "deleted"))], qualifying: "e1"));
    }

    [Fact]
    public void A_moved_occurrence_of_a_rule_zoom_cannot_express_moves_its_own_meeting_in_place()
    {
        var before = Desired(Entry(rrule: "FREQ=WEEKLY;BYDAY=MO", exdates: ["2026-12-28T10:00:00+09:00"]));
        var movedEntry = Entry(rrule: "FREQ=WEEKLY;BYDAY=MO", exdates: ["2026-12-28T10:00:00+09:00"]);
        movedEntry = movedEntry with { Content = movedEntry.Content with { Moved = [Dec21ToTuesday] } };

        var operations = Plan(Desired(movedEntry), before.Select(m => Linked(m)).ToList(), qualifying: "e1");

        var update = Assert.IsType<UpdateMeeting>(Assert.Single(operations));
        Assert.EndsWith("@20261221T010000Z", update.Link.Key);
        Assert.Equal(90, update.Meeting.DurationMinutes);
    }

    [Fact]
    public void A_pending_intent_whose_entry_lost_its_location_is_deleted_even_when_the_site_keeps_meetings()
    {
        var desired = Desired(Entry());
        var pending = Linked(desired[0], LinkState.Pending) with { MeetingId = null };

        var keep = Assert.Single(Plan([], [pending], OnEntryRemoved.Keep));
        var linkedKeep = Assert.Single(Plan([], [Linked(desired[0])], OnEntryRemoved.Keep));

        Assert.IsType<DeleteMeeting>(keep);
        Assert.IsType<ForgetMeeting>(linkedKeep);
    }

    [Fact]
    public void A_pending_intent_of_an_entry_moved_out_of_the_window_is_resolved_not_left_behind()
    {
        var desired = Desired(Entry());
        var outside = Linked(desired[0]) with { Start = DateTimeOffset.Parse("2027-03-01T10:00:00+09:00") };

        Assert.Empty(Plan([], [outside], qualifying: "e1"));
        Assert.IsType<DeleteMeeting>(Assert.Single(Plan([], [outside with { State = LinkState.Pending, MeetingId = null }], qualifying: "e1")));
    }

    [Fact]
    public void A_pending_intent_is_created_again_so_the_executor_can_find_the_meeting_first()
    {
        var desired = Desired(Entry());
        var create = Assert.IsType<CreateMeeting>(Assert.Single(Plan(desired, [Linked(desired[0], LinkState.Pending) with { MeetingId = null }], qualifying: "e1")));
        Assert.NotNull(create.Intent);
    }

    [Fact]
    public void A_meeting_deleted_in_zoom_is_not_recreated_until_the_entry_changes()
    {
        var desired = Desired(Entry());
        Assert.Empty(Plan(desired, [Linked(desired[0], LinkState.Unlinked)], qualifying: "e1"));
        Assert.IsType<CreateMeeting>(Assert.Single(Plan(Desired(Entry(start: "2026-12-08T10:00:00+09:00")), [Linked(desired[0], LinkState.Unlinked)], qualifying: "e1")));
    }

    [Fact]
    public void A_new_host_moves_the_meeting_by_deleting_then_creating()
    {
        var desired = Desired(Entry());
        var operations = Plan(desired, [Linked(desired[0]) with { Host = "old@zoom.example" }], qualifying: "e1");
        Assert.Collection(operations, o => Assert.IsType<DeleteMeeting>(o), o => Assert.IsType<CreateMeeting>(o));
    }
}

public sealed class ZoomWebhookSignatureTests
{
    const string Secret = "webhook-secret";
    static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T00:00:00Z");

    [Fact]
    public void Url_validation_answers_the_hex_hmac_of_the_plain_token() =>
        // echo -n "abc" | openssl dgst -sha256 -hmac "webhook-secret"
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData("webhook-secret"u8, "abc"u8)),
            ZoomWebhookSignature.EncryptedToken(Secret, "abc"));

    [Fact]
    public void A_signed_fresh_request_is_accepted()
    {
        var ts = Now.ToUnixTimeSeconds().ToString();
        Assert.Null(ZoomWebhookSignature.Check(Secret, ts, ZoomWebhookSignature.Signature(Secret, ts, "{}"), "{}", Now.AddMinutes(4)));
    }

    [Fact]
    public void Forged_stale_and_unsigned_requests_are_refused()
    {
        var ts = Now.ToUnixTimeSeconds().ToString();
        Assert.NotNull(ZoomWebhookSignature.Check(Secret, ts, ZoomWebhookSignature.Signature("other", ts, "{}"), "{}", Now));
        Assert.NotNull(ZoomWebhookSignature.Check(Secret, ts, ZoomWebhookSignature.Signature(Secret, ts, "{}"), "{\"x\":1}", Now));
        Assert.NotNull(ZoomWebhookSignature.Check(Secret, ts, ZoomWebhookSignature.Signature(Secret, ts, "{}"), "{}", Now.AddMinutes(6)));
        Assert.NotNull(ZoomWebhookSignature.Check(Secret, null, null, "{}", Now));
    }
}
