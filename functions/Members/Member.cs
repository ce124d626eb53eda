using System.Net.Mail;
using Zawaroom.Sites;

namespace Zawaroom.Members;

/// <summary>A person registered on a site (U4). The id is the e-mail, lower-cased.</summary>
public sealed record Member(string Email, string Name, AuthType AuthType, string Role, DateTimeOffset CreatedAt);

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
