using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zawaroom.ZoomSync;

/// <summary>A site's Server-to-Server OAuth app (Z1), decrypted, for one run.</summary>
public sealed record ZoomCredentials(string SiteId, string AccountId, string ClientId, string ClientSecret);

public sealed class ZoomOptions
{
    public string OAuthUrl { get; set; } = "https://zoom.us/oauth/token";
    public string ApiBaseUrl { get; set; } = "https://api.zoom.us/v2";
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>The first wait of the retry backoff on 429 without Retry-After and on 5xx.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
    public int MaxRetries { get; set; } = 5;
    /// <summary>How long a site run's lease lasts without renewal; after a crash the site waits this long for its next run.</summary>
    public TimeSpan LeaseTime { get; set; } = DefaultLeaseTime;
    public static readonly TimeSpan DefaultLeaseTime = TimeSpan.FromMinutes(2);
    /// <summary>What runs the orchestration and takes "sync now": InProcess (this process, in-memory DurableTask) or Queue (the SyncWorker app on Azure).</summary>
    public string Driver { get; set; } = InProcessDriver;
    /// <summary>The loopback port of the in-process DurableTask sidecar (0: a free one).</summary>
    public int DurablePort { get; set; }
    /// <summary>How often one site's run is tried in one round (crash or 429) before the round leaves it to the next.</summary>
    public int RunAttempts { get; set; } = 5;
    /// <summary>With Driver=Queue: the URL of the SyncWorker's "sync now" queue.</summary>
    public string? SyncNowQueue { get; set; }

    public const string InProcessDriver = "InProcess";
    public const string QueueDriver = "Queue";
}

/// <summary>Zoom answered with an error; <see cref="Code"/> is Zoom's own error code when it gave one.</summary>
public sealed class ZoomException(HttpStatusCode status, int? code, string message, DateTimeOffset? retryAt = null, TimeSpan? retryAfter = null)
    : Exception($"Zoom answered {(int)status}{(code is null ? "" : $" (code {code})")}: {message}")
{
    public HttpStatusCode Status { get; } = status;
    public int? Code { get; } = code;
    public string ZoomMessage { get; } = message;
    /// <summary>For a daily-limit 429: when Zoom lets the host create/update again.</summary>
    public DateTimeOffset? RetryAt { get; } = retryAt;
    public bool IsDailyLimit => Status == HttpStatusCode.TooManyRequests && RetryAt is not null;
    /// <summary>For a per-second 429: the wait Zoom asked for, when it gave one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public bool IsRateLimited => Status == HttpStatusCode.TooManyRequests && RetryAt is null;
}

public sealed record ZoomUser(string Id, string Email, string? FirstName, string? LastName, int? Type);

public sealed record ZoomMeeting(long Id, string? Topic, string? Agenda, string? JoinUrl, string? StartTime, int? Type);

/// <summary>
/// Zoom's REST API as the sync needs it. Tokens are cached per site and refreshed five minutes
/// before they expire, one refresh at a time per site; a 401 drops the token and retries once.
/// </summary>
public sealed class ZoomClient(HttpClient http, ZoomTokenCache tokens, Microsoft.Extensions.Options.IOptions<ZoomOptions> options)
{
    static readonly JsonSerializerOptions Snake = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    string Api(string path) => options.Value.ApiBaseUrl.TrimEnd('/') + path;

    /// <summary>Z2: the Zoom user with this e-mail, or null when Zoom has none.</summary>
    public async Task<ZoomUser?> FindUser(ZoomCredentials site, string email, CancellationToken ct)
    {
        try
        {
            return await Send<ZoomUser>(site, HttpMethod.Get, Api($"/users/{Uri.EscapeDataString(email)}"), null, ct);
        }
        catch (ZoomException e) when (e.Status == HttpStatusCode.NotFound || e.Code is 1001)
        {
            return null;
        }
    }

    public async Task<ZoomMeeting> CreateMeeting(ZoomCredentials site, DesiredMeeting meeting, CancellationToken ct) =>
        (await Send<ZoomMeeting>(site, HttpMethod.Post, Api($"/users/{Uri.EscapeDataString(meeting.Host)}/meetings"), Body(meeting), ct))!;

    public async Task UpdateMeeting(ZoomCredentials site, long meetingId, DesiredMeeting meeting, CancellationToken ct) =>
        await Send<JsonElement?>(site, HttpMethod.Patch, Api($"/meetings/{meetingId}"), Body(meeting), ct);

    /// <summary>Deletes the meeting; false when Zoom no longer has it (404, code 3001), which is what was wanted.</summary>
    public async Task<bool> DeleteMeeting(ZoomCredentials site, long meetingId, CancellationToken ct)
    {
        try
        {
            await Send<JsonElement?>(site, HttpMethod.Delete, Api($"/meetings/{meetingId}?schedule_for_reminder=false"), null, ct);
            return true;
        }
        catch (ZoomException e) when (e.Status == HttpStatusCode.NotFound && e.Code is 3001 or null)
        {
            return false;
        }
    }

    /// <summary>Z3: moves one occurrence of a recurring meeting (PATCH /meetings/{id}?occurrence_id=).</summary>
    public async Task UpdateOccurrence(ZoomCredentials site, long meetingId, string occurrenceId, DateTimeOffset start, int durationMinutes,
        string timeZone, CancellationToken ct) =>
        await Send<JsonElement?>(site, HttpMethod.Patch, Api($"/meetings/{meetingId}?occurrence_id={Uri.EscapeDataString(occurrenceId)}"),
            new { start_time = start.ToString("yyyy-MM-dd'T'HH:mm:ss"), duration = durationMinutes, timezone = timeZone }, ct);

    /// <summary>Z3: deletes one occurrence (DELETE /meetings/{id}?occurrence_id=); false when Zoom has no such meeting any more.</summary>
    public async Task<bool> DeleteOccurrence(ZoomCredentials site, long meetingId, string occurrenceId, CancellationToken ct)
    {
        try
        {
            await Send<JsonElement?>(site, HttpMethod.Delete,
                Api($"/meetings/{meetingId}?occurrence_id={Uri.EscapeDataString(occurrenceId)}&schedule_for_reminder=false"), null, ct);
            return true;
        }
        catch (ZoomException e) when (e.Status == HttpStatusCode.NotFound && e.Code is 3001 or null)
        {
            return false;
        }
    }

    /// <summary>The host's upcoming meetings, all pages: how a run finds a meeting whose create was never recorded.</summary>
    public async Task<List<ZoomMeeting>> UpcomingMeetings(ZoomCredentials site, string host, CancellationToken ct)
    {
        var meetings = new List<ZoomMeeting>();
        string? next = null;
        do
        {
            var url = Api($"/users/{Uri.EscapeDataString(host)}/meetings?type=upcoming&page_size=300")
                + (string.IsNullOrEmpty(next) ? "" : "&next_page_token=" + Uri.EscapeDataString(next));
            var page = await Send<MeetingPage>(site, HttpMethod.Get, url, null, ct);
            meetings.AddRange(page?.Meetings ?? []);
            next = page?.NextPageToken;
        } while (!string.IsNullOrEmpty(next));
        return meetings;
    }

    sealed record MeetingPage(List<ZoomMeeting>? Meetings, string? NextPageToken);

    public const string TrackingField = "zawaroom-entry";

    static object Body(DesiredMeeting m) => new
    {
        topic = m.Topic,
        type = m.Type,
        start_time = m.Start.ToString("yyyy-MM-dd'T'HH:mm:ss"),
        duration = m.DurationMinutes,
        timezone = m.TimeZone,
        agenda = m.Agenda,
        recurrence = m.Recurrence is null ? null : new
        {
            type = m.Recurrence.Type,
            repeat_interval = m.Recurrence.RepeatInterval,
            weekly_days = m.Recurrence.WeeklyDays,
            monthly_day = m.Recurrence.MonthlyDay,
            monthly_week = m.Recurrence.MonthlyWeek,
            monthly_week_day = m.Recurrence.MonthlyWeekDay,
            end_times = m.Recurrence.EndTimes,
            end_date_time = m.Recurrence.EndDateTime?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        },
        settings = new { meeting_invitees = m.Invitees.Select(e => new { email = e }).ToList() },
        tracking_fields = new[] { new { field = TrackingField, value = m.Key } },
    };

    async Task<T?> Send<T>(ZoomCredentials site, HttpMethod method, string url, object? body, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = await tokens.Get(site, ct);
            using var request = new HttpRequestMessage(method, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (body is not null) request.Content = JsonContent.Create(body, options: Snake);
            using var response = await http.SendAsync(request, ct);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                tokens.Drop(site, token);
                continue;
            }
            if (!response.IsSuccessStatusCode) throw await Error(response, ct);
            if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0) return default;
            return await response.Content.ReadFromJsonAsync<T>(Snake, ct);
        }
    }

    internal static async Task<ZoomException> Error(HttpResponseMessage response, CancellationToken ct)
    {
        int? code = null;
        var message = response.ReasonPhrase ?? "";
        try
        {
            var json = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            if (json.TryGetProperty("code", out var c) && c.TryGetInt32(out var n)) code = n;
            if (json.TryGetProperty("message", out var m)) message = m.GetString() ?? message;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
        }
        DateTimeOffset? retryAt = null;
        if (response.StatusCode == HttpStatusCode.TooManyRequests && DailyLimitReset(response) is { } reset) retryAt = reset;
        var retryAfter = retryAt is null ? response.Headers.RetryAfter?.Delta : null;
        return new ZoomException(response.StatusCode, code, message, retryAt, retryAfter);
    }

    /// <summary>
    /// A daily-limit 429 names when the limit resets (Retry-After as a date, or more than a minute away);
    /// per-second 429s do not.
    /// </summary>
    internal static DateTimeOffset? DailyLimitReset(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Date is { } date) return date;
        if (retryAfter?.Delta is { } delta && delta > TimeSpan.FromMinutes(1)) return DateTimeOffset.UtcNow + delta;
        return null;
    }
}

/// <summary>Access tokens per site; one refresh at a time per site, renewed five minutes before expiry.</summary>
public sealed class ZoomTokenCache(IHttpClientFactory clients, TimeProvider clock, Microsoft.Extensions.Options.IOptions<ZoomOptions> options)
{
    public const string HttpClientName = "zoom-oauth";
    static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);

    sealed class Slot
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public string? Token;
        public DateTimeOffset ExpiresAt;
    }

    readonly ConcurrentDictionary<string, Slot> _slots = new();

    /// <summary>How many tokens were fetched; the tests read it to see one refresh at a time.</summary>
    public int Fetches => _fetches;
    int _fetches;

    static string SlotKey(ZoomCredentials c) =>
        c.SiteId + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{c.AccountId}\n{c.ClientId}\n{c.ClientSecret}")))[..16];

    public async Task<string> Get(ZoomCredentials site, CancellationToken ct)
    {
        var slot = _slots.GetOrAdd(SlotKey(site), _ => new Slot());
        if (slot.Token is { } fresh && clock.GetUtcNow() < slot.ExpiresAt - RefreshBefore) return fresh;
        await slot.Gate.WaitAsync(ct);
        try
        {
            if (slot.Token is { } other && clock.GetUtcNow() < slot.ExpiresAt - RefreshBefore) return other;
            var (token, expiresIn) = await Fetch(site, ct);
            slot.ExpiresAt = clock.GetUtcNow() + expiresIn;
            slot.Token = token;
            return token;
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    public void Drop(ZoomCredentials site, string token)
    {
        if (_slots.TryGetValue(SlotKey(site), out var slot) && slot.Token == token) slot.Token = null;
    }

    async Task<(string Token, TimeSpan ExpiresIn)> Fetch(ZoomCredentials site, CancellationToken ct)
    {
        Interlocked.Increment(ref _fetches);
        var url = $"{options.Value.OAuthUrl}?grant_type=account_credentials&account_id={Uri.EscapeDataString(site.AccountId)}";
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{site.ClientId}:{site.ClientSecret}")));
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw await ZoomClient.Error(response, ct);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var token = json.GetProperty("access_token").GetString() ?? throw new ZoomException(response.StatusCode, null, "No access_token.");
        var expiresIn = json.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var s) ? s : 3600;
        return (token, TimeSpan.FromSeconds(expiresIn));
    }
}
