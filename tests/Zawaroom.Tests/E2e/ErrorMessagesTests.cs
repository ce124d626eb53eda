using System.Text.RegularExpressions;

namespace Zawaroom.Tests.E2e;

/// <summary>
/// Every error code the server can send (problem+json "code", hub errors "code: text") has a message
/// in both languages of the web app (static-web/src/i18n: 'error.{code}'), so a person never reads a
/// raw code or the English detail. The codes are read from the sources, so a new one without
/// messages fails here.
/// </summary>
public sealed partial class ErrorMessagesTests
{
    [GeneratedRegex(@"Problems\.Of\(\s*\d+\s*,\s*""(?<code>[a-z][a-z0-9-]*)""")]
    private static partial Regex ProblemsOf();

    [GeneratedRegex(@"new(?:\s+ProblemException)?\(\s*\d+\s*,\s*""(?<code>[a-z][a-z0-9-]*)""\s*,")]
    private static partial Regex NewProblem();

    [GeneratedRegex(@"HubException\(\$?""(?<code>[a-z][a-z0-9-]*):")]
    private static partial Regex HubError();

    /// <summary>The status-to-code table of ProblemHandling: <c>404 => ("not-found", "Not found")</c>.</summary>
    [GeneratedRegex(@"=>\s*\(""(?<code>[a-z][a-z0-9-]*)""\s*,\s*""[A-Z]")]
    private static partial Regex StatusTable();

    [GeneratedRegex(@"^\s*'error\.(?<code>[a-z][a-z0-9-]*)'\s*:", RegexOptions.Multiline)]
    private static partial Regex MessageKey();

    static SortedSet<string> ServerCodes()
    {
        var functions = Path.Combine(NodeScripts.RepositoryRoot(), "functions");
        var codes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(functions, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")) continue;
            var text = File.ReadAllText(file);
            foreach (var pattern in new[] { ProblemsOf(), NewProblem(), HubError(), StatusTable() })
                foreach (Match m in pattern.Matches(text)) codes.Add(m.Groups["code"].Value);
        }
        return codes;
    }

    static SortedSet<string> Messages(string language)
    {
        var file = Path.Combine(NodeScripts.RepositoryRoot(), "static-web", "src", "i18n", $"{language}.ts");
        return new SortedSet<string>(MessageKey().Matches(File.ReadAllText(file)).Select(m => m.Groups["code"].Value), StringComparer.Ordinal);
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("en")]
    public void Every_error_code_the_server_can_return_has_a_message_in_the_web_app(string language)
    {
        var missing = ServerCodes().Except(Messages(language)).ToList();
        Assert.True(missing.Count == 0,
            $"static-web/src/i18n/{language}.ts has no message for: {string.Join(", ", missing.Select(c => $"'error.{c}'"))}");
    }

    [Fact]
    public void The_scan_finds_the_codes_of_the_API_contract()
    {
        // Guards the scan itself: if the patterns stopped matching, the test above would pass on nothing.
        var codes = ServerCodes();
        foreach (var code in new[] { "not-found", "forbidden", "unauthenticated", "validation", "conflict", "room-occupied",
                     "entry-denied", "last-site-admin", "max-users-reached", "file-invalid", "too-large", "not-in-room" })
            Assert.Contains(code, codes);
    }

    [Fact]
    public void Japanese_and_English_have_the_same_error_messages()
    {
        Assert.Equal(Messages("ja"), Messages("en"));
    }
}
