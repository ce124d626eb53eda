namespace Zawaroom.Common;

/// <summary>
/// A failure the caller should see as RFC 9457 problem+json. Thrown anywhere in a request;
/// <see cref="ProblemHandling"/> turns it into the response. The <see cref="Code"/> is the stable,
/// machine-readable word of API.md ("not-found", "last-site-admin" …).
/// </summary>
public sealed class ProblemException(int status, string code, string title, string detail,
    IReadOnlyDictionary<string, object?>? extensions = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string Title { get; } = title;
    public IReadOnlyDictionary<string, object?>? Extensions { get; } = extensions;
}

public static class Problems
{
    public static ProblemException NotFound(string detail = "The resource does not exist.") =>
        new(404, "not-found", "Not found", detail);

    public static ProblemException Unauthenticated(string detail = "Sign in first.") =>
        new(401, "unauthenticated", "Unauthenticated", detail);

    public static ProblemException Forbidden(string detail = "Your role does not allow this.") =>
        new(403, "forbidden", "Forbidden", detail);

    public static ProblemException Validation(string detail, IReadOnlyDictionary<string, object?>? extensions = null) =>
        new(400, "validation", "Invalid request", detail, extensions);

    public static ProblemException Conflict(string detail = "The resource was changed by someone else; reload and try again.") =>
        new(412, "conflict", "Conflict", detail);

    public static ProblemException Of(int status, string code, string title, string detail,
        IReadOnlyDictionary<string, object?>? extensions = null) =>
        new(status, code, title, detail, extensions);
}
