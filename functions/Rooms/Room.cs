namespace Zawaroom.Rooms;

/// <summary>A room (P2). Its layout and entry settings are the room-settings feature's documents.</summary>
public sealed record Room
{
    public required string Id { get; init; }
    public required string SpaceId { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    /// <summary>E-mails (lower-case) of the room's administrators (U1).</summary>
    public IReadOnlyList<string> RoomAdmins { get; init; } = [];
    /// <summary>Set while the room is in the trash.</summary>
    public DateTimeOffset? TrashedAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

public sealed record Space(string Id, string Name, DateTimeOffset CreatedAt);

public static class Names
{
    public static string Require(string? name, string what, int max = 50)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed)) throw Common.Problems.Validation($"A {what} needs a name.");
        if (trimmed.Length > max) throw Common.Problems.Validation($"A {what} name has at most {max} characters.");
        return trimmed;
    }
}
