using System.Text.RegularExpressions;
using Zawaroom.Members;

namespace Zawaroom.RoomSettings;

/// <summary>R3: who may enter. The one check the live room calls.</summary>
public static class EntryPermission
{
    /// <summary>
    /// Union of the checked domains and the listed e-mails; both empty = every member. Checked
    /// domains are used as stored, even one the site stopped allowing since (fail closed: the room
    /// stays restricted until an admin saves the entry settings again).
    /// </summary>
    public static bool Allows(EntrySettings entry, string email)
    {
        if (entry.Domains.Count == 0 && entry.Users.Count == 0) return true;
        var normalized = Emails.Normalize(email);
        if (entry.Users.Contains(normalized, StringComparer.Ordinal)) return true;
        var at = normalized.LastIndexOf('@');
        if (at < 0) return false;
        var domain = normalized[(at + 1)..];
        return entry.Domains.Any(d => string.Equals(d, domain, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The checkboxes of the settings screen: every domain the site allows, checked or not (new
    /// ones unchecked), then any checked domain the site no longer allows, marked retired, so the
    /// admin sees why the room is still restricted and can uncheck it.
    /// </summary>
    public static IReadOnlyList<DomainChoice> Choices(EntrySettings entry, IReadOnlyList<string> siteDomains) =>
        siteDomains.Select(d => new DomainChoice(d, entry.Domains.Contains(d, StringComparer.OrdinalIgnoreCase)))
            .Concat(entry.Domains.Where(d => !siteDomains.Contains(d, StringComparer.OrdinalIgnoreCase)).Select(d => new DomainChoice(d, true, Retired: true)))
            .ToList();
}

/// <summary>One checkbox; <see cref="Retired"/> when the site no longer allows the domain (it can be kept or unchecked, not added).</summary>
public sealed record DomainChoice(string Domain, bool Checked, bool Retired = false);

public readonly record struct Point(double X, double Y);

/// <summary>R8: where an entrant appears.</summary>
public static class EntryPosition
{
    /// <summary>The centre of "ゲストエリア", else of the first meeting room, else of the background.</summary>
    public static Point Of(RoomSettingsDocument settings)
    {
        var area = settings.MeetingRooms.FirstOrDefault(m => m.Name.Trim() == RoomSettingsDocument.GuestAreaName)
            ?? settings.MeetingRooms.FirstOrDefault();
        return area is null
            ? new Point(settings.Background.Width / 2.0, settings.Background.Height / 2.0)
            : new Point(area.X + area.Width / 2.0, area.Y + area.Height / 2.0);
    }
}

/// <summary>R6: the scale ranges and how a scale is computed from the window and the image.</summary>
public static class ScaleRules
{
    public const int FitMinPercent = 40, FitMaxPercent = 150;
    public const int FixedMinimumMin = 30, FixedMinimumMax = 100;
    public const int FixedEntryMin = 30, FixedEntryMax = 150;

    /// <summary>Null when the rule is valid as the minimum scale, else why not.</summary>
    public static string? CheckMinimum(ScaleRule rule) => Check(rule, "minimum", FixedMinimumMin, FixedMinimumMax);

    public static string? CheckEntry(ScaleRule rule) => Check(rule, "entry", FixedEntryMin, FixedEntryMax);

    static string? Check(ScaleRule rule, string what, int min, int max) => rule switch
    {
        { Mode: ScaleMode.Fixed, Percent: null } => $"A fixed {what} scale needs a percent ({min}-{max}).",
        { Mode: ScaleMode.Fixed, Percent: var p } when p < min || p > max => $"A fixed {what} scale is {min}-{max} percent.",
        { Mode: not ScaleMode.Fixed, Percent: not null } => $"Only a fixed {what} scale has a percent.",
        _ => null,
    };

    /// <summary>The scale factor (1.0 = 100 %) of one rule for a window and an image.</summary>
    public static double Resolve(ScaleRule rule, double windowWidth, double windowHeight, int imageWidth, int imageHeight) => rule.Mode switch
    {
        ScaleMode.Fixed => (rule.Percent ?? 100) / 100.0,
        ScaleMode.FitWidth => ClampFit(windowWidth / imageWidth),
        _ => ClampFit(windowHeight / imageHeight),
    };

    /// <summary>Both scales for a window; the entry scale never goes below the minimum scale.</summary>
    public static (double Minimum, double Entry) For(ScaleSettings scale, double windowWidth, double windowHeight, int imageWidth, int imageHeight)
    {
        var minimum = Resolve(scale.Minimum, windowWidth, windowHeight, imageWidth, imageHeight);
        var entry = Resolve(scale.Entry, windowWidth, windowHeight, imageWidth, imageHeight);
        return (minimum, Math.Max(entry, minimum));
    }

    static double ClampFit(double factor) => Math.Clamp(factor, FitMinPercent / 100.0, FitMaxPercent / 100.0);
}

/// <summary>R5, R7: meeting rooms stay inside the background.</summary>
public static class LayoutRules
{
    public const int MaxMeetingRooms = 100;
    public const int MinSide = 200, MaxSide = 20000;

    public static bool Inside(MeetingRoom m, int width, int height) =>
        m.X >= 0 && m.Y >= 0 && m.Width >= 1 && m.Height >= 1 && (long)m.X + m.Width <= width && (long)m.Y + m.Height <= height;

    /// <summary>After a smaller background: each meeting room shrinks to fit and moves back inside.</summary>
    public static IReadOnlyList<MeetingRoom> FitInto(IReadOnlyList<MeetingRoom> rooms, int width, int height) =>
        rooms.Select(m =>
        {
            var w = Math.Clamp(m.Width, 1, width);
            var h = Math.Clamp(m.Height, 1, height);
            return m with { Width = w, Height = h, X = Math.Clamp(m.X, 0, width - w), Y = Math.Clamp(m.Y, 0, height - h) };
        }).ToList();
}

/// <summary>
/// R7: a style is data, never code. Only known CSS properties (camelCase, as a style object) with
/// values of a safe shape: no url(), expression(), javascript:, escapes, declarations or at-rules.
/// </summary>
public static partial class StyleRules
{
    public const int MaxProperties = 30, MaxValueLength = 200;

    enum Shape { Color, Length, Number, Keyword, Font, Shadow, Paint, Border }

    static readonly Dictionary<string, Shape> Known = new(StringComparer.Ordinal)
    {
        ["color"] = Shape.Color,
        ["backgroundColor"] = Shape.Color,
        ["borderColor"] = Shape.Color,
        ["outlineColor"] = Shape.Color,
        ["background"] = Shape.Paint,
        ["backgroundImage"] = Shape.Paint,
        ["fontSize"] = Shape.Length,
        ["letterSpacing"] = Shape.Length,
        ["lineHeight"] = Shape.Length,
        ["borderWidth"] = Shape.Length,
        ["borderRadius"] = Shape.Length,
        ["outlineWidth"] = Shape.Length,
        ["padding"] = Shape.Length,
        ["opacity"] = Shape.Number,
        ["fontWeight"] = Shape.Keyword,
        ["fontStyle"] = Shape.Keyword,
        ["textAlign"] = Shape.Keyword,
        ["textDecoration"] = Shape.Keyword,
        ["borderStyle"] = Shape.Keyword,
        ["outlineStyle"] = Shape.Keyword,
        ["whiteSpace"] = Shape.Keyword,
        ["fontFamily"] = Shape.Font,
        ["textShadow"] = Shape.Shadow,
        ["boxShadow"] = Shape.Shadow,
        ["border"] = Shape.Border,
        ["outline"] = Shape.Border,
    };

    static readonly HashSet<string> Functions = new(StringComparer.OrdinalIgnoreCase)
    {
        "rgb", "rgba", "hsl", "hsla", "linear-gradient", "radial-gradient", "repeating-linear-gradient",
    };

    public static IReadOnlyCollection<string> KnownProperties => Known.Keys;

    [GeneratedRegex(@"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/]+\))$")]
    private static partial Regex ColorShape();

    [GeneratedRegex(@"^(-?[0-9]+(\.[0-9]+)?(px|em|rem|%|pt)?\s*){1,4}$|^(normal|auto|inherit|initial)$")]
    private static partial Regex LengthShape();

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?$")]
    private static partial Regex NumberShape();

    [GeneratedRegex(@"^[a-zA-Z0-9-]+(\s+[a-zA-Z0-9-]+){0,3}$")]
    private static partial Regex KeywordShape();

    /// <summary>Letters of any script, digits, spaces, quotes, commas, hyphens: font names.</summary>
    [GeneratedRegex(@"^[\p{L}\p{N}\s,'""_-]+$")]
    private static partial Regex FontShape();

    /// <summary>Words, numbers, units, colours and the whitelisted functions; nothing else.</summary>
    [GeneratedRegex(@"^[a-zA-Z0-9#%.,()\s/+-]+$")]
    private static partial Regex GenericShape();

    [GeneratedRegex(@"([a-zA-Z-]+)\s*\(")]
    private static partial Regex FunctionCall();

    /// <summary>Null when the style is acceptable, else the reasons, one per refused property.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyDictionary<string, string> style)
    {
        var problems = new List<string>();
        if (style.Count > MaxProperties) problems.Add($"A style has at most {MaxProperties} properties.");
        foreach (var (name, value) in style)
        {
            if (!Known.TryGetValue(name, out var shape))
            {
                problems.Add($"'{name}' is not an allowed style property.");
                continue;
            }
            if (Why(shape, value) is { } why) problems.Add($"'{name}': {why}");
        }
        return problems;
    }

    static string? Why(Shape shape, string value)
    {
        if (value.Length == 0 || value.Length > MaxValueLength) return $"a value has 1-{MaxValueLength} characters.";
        var lower = value.ToLowerInvariant();
        if (lower.Contains("url") || lower.Contains("expression") || lower.Contains("javascript") || lower.Contains("vbscript")
            || lower.Contains("import") || lower.Contains("behavior") || lower.Contains("binding"))
            return "urls, expressions and scripts are not allowed in a style.";
        if (value.IndexOfAny(['\\', ';', ':', '{', '}', '<', '>', '@', '!', '&', '\0', '\n', '\r']) >= 0)
            return "the value contains a character a style value may not have.";
        foreach (Match call in FunctionCall().Matches(value))
            if (!Functions.Contains(call.Groups[1].Value)) return $"the function '{call.Groups[1].Value}()' is not allowed.";
        var ok = shape switch
        {
            Shape.Color => ColorShape().IsMatch(value),
            Shape.Length => LengthShape().IsMatch(value),
            Shape.Number => NumberShape().IsMatch(value),
            Shape.Keyword => KeywordShape().IsMatch(value),
            Shape.Font => FontShape().IsMatch(value),
            _ => GenericShape().IsMatch(value),
        };
        return ok ? null : $"'{value}' is not a value of the expected shape ({shape.ToString().ToLowerInvariant()}).";
    }
}
