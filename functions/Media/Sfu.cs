namespace Zawaroom.Media;

/// <summary>What a member joins one SFU room with: only this room, only as this participant, until it expires.</summary>
public sealed record SfuPass(string Url, ulong Room, ulong Feed, string Pin, string SessionToken, string RoomToken, DateTimeOffset Expires);

/// <summary>The SFU refused or failed a request (its adapter says which error); the media feature handles it without naming the adapter.</summary>
public class SfuException(string message) : Exception(message);

/// <summary>
/// The SFU as the media feature needs it (Janus's VideoRoom behind it: Media/Janus). Rooms are
/// opened and closed by the app only; a member gets a pass for exactly one room; the app removes
/// whoever is in a room without the right to be.
/// </summary>
public interface ISfu
{
    /// <summary>Creates the room when it does not exist yet.</summary>
    Task Open(ulong room, CancellationToken ct);

    /// <summary>Destroys the room (everyone in it is dropped); nothing when it is gone.</summary>
    Task Close(ulong room, CancellationToken ct);

    /// <summary>The participant ids in the room now; empty when the room does not exist.</summary>
    Task<IReadOnlyList<ulong>> Participants(ulong room, CancellationToken ct);

    /// <summary>Drops a participant from the room.</summary>
    Task Kick(ulong room, ulong participant, CancellationToken ct);

    /// <summary>A join pass for one participant of one room, valid until <paramref name="expires"/>.</summary>
    SfuPass Pass(ulong room, ulong participant, DateTimeOffset expires);
}
