using System.Text;

namespace Zawaroom.ZoomSync;

/// <summary>Z4: the current month and the next two, in the site's timezone, as [From, To).</summary>
public sealed record SyncWindow(DateTimeOffset From, DateTimeOffset To)
{
    public static SyncWindow At(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var first = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        var after = first.AddMonths(3);
        return new SyncWindow(new DateTimeOffset(first, zone.GetUtcOffset(first)), new DateTimeOffset(after, zone.GetUtcOffset(after)));
    }

    public bool Contains(DateTimeOffset time) => time >= From && time < To;
}

/// <summary>Z1: the location that triggers sync, matched ignoring case and full/half width ("ＺＯＯＭ　会議" = "zoom 会議").</summary>
public static class LocationMatch
{
    public const string DefaultName = "Zoom 会議";

    public static bool Matches(string? location, string? name) =>
        !string.IsNullOrWhiteSpace(location) && Canonical(location) == Canonical(string.IsNullOrWhiteSpace(name) ? DefaultName : name);

    /// <summary>NFKC folds full width to half width (and the ideographic space to a space); then case and spacing are ignored.</summary>
    public static string Canonical(string text)
    {
        var folded = text.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var result = new StringBuilder(folded.Length);
        var space = false;
        foreach (var c in folded.Trim())
        {
            if (char.IsWhiteSpace(c)) { space = true; continue; }
            if (space && result.Length > 0) result.Append(' ');
            space = false;
            result.Append(c);
        }
        return result.ToString();
    }
}
