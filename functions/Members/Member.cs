using System.Net.Mail;
using Zawaroom.Sites;

namespace Zawaroom.Members;

/// <summary>
/// A person registered on a site (U4). The id is the e-mail, lower-cased. <see cref="Registration"/> is new
/// each time the person is added, so a token of an earlier registration (deleted since) lets no one in.
/// </summary>
public sealed record Member(string Email, string Name, AuthType AuthType, string Role, DateTimeOffset CreatedAt, string? Registration = null)
{
    /// <summary>What tokens are bound to; members stored before registrations had ids use their creation time.</summary>
    public string RegistrationKey => Registration ?? CreatedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public static class Emails
{
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    public static bool IsValid(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > 254 || email.Trim() != email) return false;
        return MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && email.IndexOf('@') > 0
            && email[(email.IndexOf('@') + 1)..].Contains('.');
    }

    public static string DomainOf(string email) => email[(email.LastIndexOf('@') + 1)..].ToLowerInvariant();

    /// <summary>A list typed by a person: e-mails separated by comma, tab, semicolon, space or newline.</summary>
    public static IReadOnlyList<string> SplitList(string? text) =>
        (text ?? "").Split([',', '\t', '\n', '\r', ';', ' ', '　'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Normalize).Distinct().ToList();
}
