using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Zawaroom.Tests.ZoomSync;

/// <summary>
/// Zoom's documented API as the sync uses it, on a loopback port, keeping real state: the S2S OAuth
/// token endpoint, users, meetings (agenda, tracking fields, invitees, recurrence), a per-second limit
/// per account, the 100 create/update per host per day limit, and injectable 429 / 5xx answers.
/// </summary>
public sealed class ZoomStandIn : IAsyncDisposable
{
    public const string AccountId = "acct-1";
    public const string ClientId = "client-1";
    public const string ClientSecret = "secret-1";

    readonly WebApplication _app;
    readonly object _gate = new();
    readonly Dictionary<string, string> _users = new(StringComparer.OrdinalIgnoreCase); // email -> id
    readonly Dictionary<long, JsonObject> _meetings = new();
    readonly Dictionary<string, DateTimeOffset> _tokens = new();
    readonly Dictionary<string, int> _dailyWrites = new();   // host|yyyy-MM-dd -> count
    readonly Queue<DateTimeOffset> _recent = new();
    long _nextId = 80_000_000_000;
    int _failures;
    HttpStatusCode _failureStatus;

    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;
    public int DailyLimit { get; set; } = 100;
    /// <summary>The Retry-After (seconds) of the injected per-second 429s; none when null.</summary>
    public int? RetryAfterSeconds { get; set; }
    /// <summary>Requests per second per account before 429 (0 = no limit).</summary>
    public int PerSecondLimit { get; set; }
    public int TokenLifetimeSeconds { get; set; } = 3600;
    /// <summary>
    /// Zoom down: every OAuth and API connection is dropped without an answer (feeds still work). A browser
    /// test turns it on and off with POST {BaseUrl}/control/unreachable and /control/reachable.
    /// </summary>
    public volatile bool Unreachable;
    public int TokenRequests;
    public int ApiCalls;
    public int Creates;
    public readonly ConcurrentQueue<string> Log = new();
    /// <summary>Calendar feeds served at {BaseUrl}/feeds/{name}, for the iCalendar feed import.</summary>
    public readonly ConcurrentDictionary<string, string> Feeds = new();

    public string OAuthUrl => $"{BaseUrl}/oauth/token";
    public string ApiBaseUrl => $"{BaseUrl}/v2";
    public string BaseUrl { get; private set; } = "";

    ZoomStandIn(WebApplication app) => _app = app;

    public static async Task<ZoomStandIn> Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new ZoomStandIn(app);
        standIn.Map(app);
        await app.StartAsync();
        standIn.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return standIn;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    public void AddUser(string email) { lock (_gate) _users[email] = "u" + Math.Abs(email.GetHashCode()); }

    /// <summary>The next <paramref name="count"/> API calls answer <paramref name="status"/>.</summary>
    public void FailNext(int count, HttpStatusCode status) { lock (_gate) { _failures = count; _failureStatus = status; } }

    public void ExpireTokens() { lock (_gate) _tokens.Clear(); }

    public List<JsonObject> Meetings() { lock (_gate) return _meetings.Values.Select(m => (JsonObject)m.DeepClone()).ToList(); }

    public List<JsonObject> MeetingsOf(string host) => Meetings().Where(m => (string?)m["host_email"] == host).ToList();

    /// <summary>Deletes a meeting as a person would in the Zoom app.</summary>
    public void DeleteInZoom(long id) { lock (_gate) _meetings.Remove(id); }

    void Map(WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (Unreachable && (http.Request.Path.StartsWithSegments("/oauth") || http.Request.Path.StartsWithSegments("/v2")))
            {
                http.Abort();
                return;
            }
            await next(http);
        });
        app.MapPost("/control/unreachable", () => { Unreachable = true; return Results.NoContent(); });
        app.MapPost("/control/reachable", () => { Unreachable = false; return Results.NoContent(); });
        app.MapPost("/oauth/token", (HttpContext http) =>
        {
            Interlocked.Increment(ref TokenRequests);
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
            if (http.Request.Headers.Authorization != expected || http.Request.Query["grant_type"] != "account_credentials"
                || http.Request.Query["account_id"] != AccountId)
                return Results.Json(new { reason = "Invalid client_id or client_secret", error = "invalid_client" }, statusCode: 401);
            var token = "tok-" + Guid.NewGuid().ToString("N");
            lock (_gate) _tokens[token] = Now().AddSeconds(TokenLifetimeSeconds);
            return Results.Json(new { access_token = token, token_type = "bearer", expires_in = TokenLifetimeSeconds, scope = "meeting:write:admin user:read:admin" });
        });

        app.MapGet("/feeds/{name}", (string name) =>
            Feeds.TryGetValue(name, out var text) ? Results.Text(text, "text/calendar; charset=utf-8") : Results.NotFound());

        var api = app.MapGroup("/v2");
        api.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            Interlocked.Increment(ref ApiCalls);
            Log.Enqueue($"{http.Request.Method} {http.Request.Path}");
            lock (_gate)
            {
                var auth = http.Request.Headers.Authorization.ToString();
                if (!auth.StartsWith("Bearer ") || !_tokens.TryGetValue(auth[7..], out var expiry) || expiry <= Now())
                    return Error(401, 124, "Invalid access token.");
                if (_failures > 0)
                {
                    _failures--;
                    if (_failureStatus == HttpStatusCode.TooManyRequests && RetryAfterSeconds is { } wait) http.Response.Headers.RetryAfter = wait.ToString();
                    return _failureStatus == HttpStatusCode.TooManyRequests
                        ? Error(429, 429, "You have reached the maximum per-second rate limit for this API.")
                        : Error((int)_failureStatus, null, "Internal error");
                }
                if (PerSecondLimit > 0)
                {
                    var now = Now();
                    while (_recent.Count > 0 && now - _recent.Peek() >= TimeSpan.FromSeconds(1)) _recent.Dequeue();
                    if (_recent.Count >= PerSecondLimit) return Error(429, 429, "You have reached the maximum per-second rate limit for this API.");
                    _recent.Enqueue(now);
                }
            }
            return await next(context);
        });

        api.MapGet("/users/{email}", (string email) =>
        {
            lock (_gate)
                return _users.TryGetValue(email, out var id)
                    ? Results.Json(new { id, email, first_name = email.Split('@')[0], last_name = "", type = 2 })
                    : Error(404, 1001, "User does not exist: " + email);
        });

        api.MapPost("/users/{email}/meetings", async (string email, HttpContext http) =>
        {
            var body = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
            lock (_gate)
            {
                if (!_users.ContainsKey(email)) return Error(404, 1001, "User does not exist: " + email);
                if (SpendDaily(email) is { } limited) return limited;
                var id = _nextId++;
                body["id"] = id;
                body["uuid"] = Guid.NewGuid().ToString();
                body["host_email"] = email;
                body["join_url"] = $"https://zoom.example/j/{id}";
                body["created_at"] = Now().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
                body["occurrences"] = Occurrences(body);
                _meetings[id] = body;
                Interlocked.Increment(ref Creates);
                return Results.Json(body, statusCode: 201);
            }
        });

        api.MapGet("/users/{email}/meetings", (string email, string? type, int? page_size, string? next_page_token) =>
        {
            lock (_gate)
            {
                var size = Math.Clamp(page_size ?? 30, 1, 300);
                var all = _meetings.Values.Where(m => (string?)m["host_email"] == email).OrderBy(m => (long)m["id"]!).ToList();
                var skip = int.TryParse(next_page_token, out var n) ? n : 0;
                var page = all.Skip(skip).Take(size).Select(m => new JsonObject
                {
                    ["id"] = (long)m["id"]!, ["topic"] = m["topic"]?.DeepClone(), ["agenda"] = m["agenda"]?.DeepClone(),
                    ["join_url"] = m["join_url"]?.DeepClone(), ["start_time"] = m["start_time"]?.DeepClone(), ["type"] = m["type"]?.DeepClone(),
                }).ToList();
                var next = skip + size < all.Count ? (skip + size).ToString() : "";
                return Results.Json(new { page_size = size, total_records = all.Count, next_page_token = next, meetings = page });
            }
        });

        api.MapGet("/meetings/{id:long}", (long id) =>
        {
            lock (_gate) return _meetings.TryGetValue(id, out var m) ? Results.Json(m) : Error(404, 3001, "Meeting does not exist: " + id);
        });

        api.MapMethods("/meetings/{id:long}", ["PATCH"], async (long id, string? occurrence_id, HttpContext http) =>
        {
            var patch = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
            lock (_gate)
            {
                if (!_meetings.TryGetValue(id, out var m)) return Error(404, 3001, "Meeting does not exist: " + id);
                if (occurrence_id is not null)
                {
                    // Only an occurrence's time can change this way, as in Zoom.
                    if (Occurrence(m, occurrence_id) is not { } occurrence) return Error(400, 3000, "Invalid occurrence_id: " + occurrence_id);
                    if (SpendDaily((string)m["host_email"]!) is { } limitedOne) return limitedOne;
                    if (patch["start_time"] is { } start)
                        occurrence["start_time"] = Utc((string)start!, (string?)patch["timezone"] ?? (string?)m["timezone"]).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
                    if (patch["duration"] is { } duration) occurrence["duration"] = (int)duration!;
                    OccurrenceUpdates++;
                    return Results.NoContent();
                }
                if (SpendDaily((string)m["host_email"]!) is { } limited) return limited;
                foreach (var (name, value) in patch) m[name] = value?.DeepClone();
                // A change of the series makes its occurrences anew, dropping their own changes.
                if (patch.Any(p => p.Key is "start_time" or "duration" or "timezone" or "recurrence" or "type")) m["occurrences"] = Occurrences(m);
                return Results.NoContent();
            }
        });

        api.MapDelete("/meetings/{id:long}", (long id, string? occurrence_id) =>
        {
            lock (_gate)
            {
                if (occurrence_id is null) return _meetings.Remove(id) ? Results.NoContent() : Error(404, 3001, "Meeting does not exist: " + id);
                if (!_meetings.TryGetValue(id, out var m)) return Error(404, 3001, "Meeting does not exist: " + id);
                if (Occurrence(m, occurrence_id) is not { } occurrence) return Error(400, 3000, "Invalid occurrence_id: " + occurrence_id);
                occurrence["status"] = "deleted";
                OccurrenceDeletes++;
                return Results.NoContent();
            }
        });
    }

    public int OccurrenceUpdates;
    public int OccurrenceDeletes;

    static JsonObject? Occurrence(JsonObject meeting, string occurrenceId) =>
        (meeting["occurrences"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(o => (string?)o["occurrence_id"] == occurrenceId);

    /// <summary>The meeting's occurrences as Zoom keeps them: id (start by the rule, Unix ms), start (UTC), duration, status.</summary>
    public List<(string Id, string Start, int Duration, string Status)> OccurrencesOf(long meetingId)
    {
        lock (_gate)
            return ((_meetings[meetingId]["occurrences"] as JsonArray) ?? []).OfType<JsonObject>()
                .Select(o => ((string)o["occurrence_id"]!, (string)o["start_time"]!, (int)o["duration"]!, (string)o["status"]!)).ToList();
    }

    static DateTimeOffset Utc(string local, string? timeZone)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone ?? "UTC");
        var time = DateTime.SpecifyKind(DateTime.Parse(local.TrimEnd('Z'), System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Unspecified);
        return local.EndsWith('Z') ? new DateTimeOffset(time, TimeSpan.Zero) : new DateTimeOffset(time, zone.GetUtcOffset(time));
    }

    /// <summary>
    /// Expands a recurring meeting (type 8) the way Zoom does: daily (type 1), weekly on weekly_days (type 2, 1 = Sunday),
    /// monthly on monthly_day or monthly_week/monthly_week_day (type 3), every repeat_interval, until end_times or end_date_time.
    /// </summary>
    static JsonArray Occurrences(JsonObject m)
    {
        var result = new JsonArray();
        if ((int?)m["type"] != 8 || m["recurrence"] is not JsonObject r) return result;
        var timeZone = (string?)m["timezone"];
        var first = DateTime.Parse(((string)m["start_time"]!).TrimEnd('Z'), System.Globalization.CultureInfo.InvariantCulture);
        var duration = (int?)m["duration"] ?? 60;
        var interval = Math.Max(1, (int?)r["repeat_interval"] ?? 1);
        var endTimes = (int?)r["end_times"];
        DateTimeOffset? endAt = r["end_date_time"] is { } e ? DateTimeOffset.Parse((string)e!, System.Globalization.CultureInfo.InvariantCulture) : null;
        if (endTimes is null && endAt is null) endTimes = 1;
        var weekly = ((string?)r["weekly_days"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToHashSet();
        var firstSunday = first.Date.AddDays(-(int)first.DayOfWeek);
        for (var day = first.Date; day < first.Date.AddYears(3) && (endTimes is null || result.Count < endTimes); day = day.AddDays(1))
        {
            var months = (day.Year - first.Year) * 12 + day.Month - first.Month;
            var matches = (int?)r["type"] switch
            {
                1 => (day - first.Date).Days % interval == 0,
                2 => (day - firstSunday).Days / 7 % interval == 0 && weekly.Contains((int)day.DayOfWeek + 1),
                3 => months % interval == 0 && ((int?)r["monthly_day"] is { } md ? day.Day == md
                    : (int)day.DayOfWeek + 1 == (int?)r["monthly_week_day"] && ((int?)r["monthly_week"] == -1
                        ? day.AddDays(7).Month != day.Month : (day.Day - 1) / 7 + 1 == (int?)r["monthly_week"])),
                _ => false,
            };
            if (!matches) continue;
            var start = Utc((day + first.TimeOfDay).ToString("yyyy-MM-ddTHH:mm:ss"), timeZone);
            if (endAt is not null && start > endAt) break;
            result.Add(new JsonObject
            {
                ["occurrence_id"] = start.ToUnixTimeMilliseconds().ToString(), ["start_time"] = start.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                ["duration"] = duration, ["status"] = "available",
            });
        }
        return result;
    }

    IResult? SpendDaily(string host)
    {
        var key = $"{host}|{Now().UtcDateTime:yyyy-MM-dd}";
        var used = _dailyWrites.GetValueOrDefault(key);
        if (used >= DailyLimit)
        {
            var reset = Now().UtcDateTime.Date.AddDays(1);
            return new DailyLimitResult(reset);
        }
        _dailyWrites[key] = used + 1;
        return null;
    }

    sealed class DailyLimitResult(DateTime reset) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.RetryAfter = reset.ToString("R");
            return Error(429, 429, "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests for this user.").ExecuteAsync(http);
        }
    }

    static IResult Error(int status, int? code, string message) =>
        Results.Json(code is null ? new JsonObject { ["message"] = message } : new JsonObject { ["code"] = code, ["message"] = message }, statusCode: status);
}
