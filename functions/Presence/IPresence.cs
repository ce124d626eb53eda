namespace Zawaroom.Presence;

public sealed record Occupant(string Email, string Name);

/// <summary>
/// Who is inside a room right now, as room cards (P4) and the occupied-room guard (P3) need it.
/// The live room writes presence; everything else only reads it through this port.
/// </summary>
public interface IPresenceReader
{
    Task<IReadOnlyList<Occupant>> Occupants(string siteId, string roomId, CancellationToken ct);
}

