using System.Text.Json.Serialization;

namespace Zawaroom.Logs;

/// <summary>
/// One usage-log row in the shape of G1. <see cref="Id"/> makes an append idempotent: the live room
/// builds it from the member and the client's command id, so a retried command is logged once.
/// <see cref="SpaceId"/>/<see cref="RoomId"/> let an export filter without trusting names.
/// </summary>
public sealed record UsageEvent
{
    public required string Id { get; init; }
    public required string SiteId { get; init; }
    [JsonPropertyName("eventDateTime")] public required DateTimeOffset EventDateTime { get; init; }
    [JsonPropertyName("eventDateTime(JST)")] public string EventDateTimeJst => UsageTime.Jst(EventDateTime);
    [JsonPropertyName("eventType")] public required string EventType { get; init; }
    [JsonPropertyName("email")] public required string Email { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("space")] public string Space { get; init; } = "";
    [JsonPropertyName("room")] public string Room { get; init; } = "";
    [JsonPropertyName("subroom.name")] public string SubroomName { get; init; } = "";
    /// <summary>The event's own details: new status, target user, message text …</summary>
    [JsonPropertyName("details")] public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();
    public string SpaceId { get; init; } = "";
    public string RoomId { get; init; } = "";
}

/// <summary>The exact eventType names of G1.</summary>
public static class EventTypes
{
    public const string EnterRoom = "enter room";
    public const string LeaveRoom = "leave room";
    public const string EnterSubRoom = "enter sub room";
    public const string LeaveSubRoom = "leave sub room";
    public const string Status = "status";
    public const string KnockUser = "knock user";
    public const string IsFocus = "isFocus";
    public const string UserMessage = "userMessage";
    public const string RegisterBoard = "register board";
    public const string UpdateBoard = "update board";
    public const string RegisterImage = "register image";
    public const string StartShareScreen = "start share screen";
    public const string StopShareScreen = "stop share screen";
    public const string AudioMuted = "audioMuted";
    public const string SpeakerMuted = "speakerMuted";
    public const string VideoMuted = "videoMuted";
    public const string VoiceArea = "voiceArea";
    public const string RingBell = "ring bell";
}

public static class UsageTime
{
    static readonly TimeSpan JstOffset = TimeSpan.FromHours(9);

    /// <summary>UTC as ISO 8601 with "Z", millisecond precision.</summary>
    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");

    /// <summary>Japan has no daylight saving time, so JST is always UTC+9.</summary>
    public static string Jst(DateTimeOffset at) => at.ToOffset(JstOffset).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz");
}

/// <summary>
/// The event log port (ARCHITECTURE.md "Ports"): append-only usage events per site, read back by
/// time range as a stream so an export of a year runs in constant memory.
/// </summary>
public interface IEventLog
{
    /// <summary>Appends the event; false (and nothing written) when an event with its id is already in the site's log.</summary>
    Task<bool> Append(UsageEvent usage, CancellationToken ct);

    /// <summary>The site's events with <c>from &lt;= eventDateTime &lt; to</c>, oldest first.</summary>
    IAsyncEnumerable<UsageEvent> Read(string siteId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
}
