using System.Text.RegularExpressions;

namespace Zawaroom.Tests.E2e;

/// <summary>
/// The English locale (static-web/src/i18n/en.ts) has no Japanese left but names: the meeting room
/// name the product gives ("ゲストエリア", which people type to make the entry point) and the default
/// Zoom location ("Zoom 会議", which entries must carry). The browser side is screens.test.mjs
/// ("in English, the main screens show no Japanese but names").
/// </summary>
public sealed partial class EnglishLocaleTests
{
    static readonly string[] Names = ["ゲストエリア", "Zoom 会議"];

    [GeneratedRegex(@"^\s*'(?<key>[^']+)'\s*:\s*(?<q>['""`])(?<value>(?:\\.|(?!\k<q>).)*)\k<q>\s*,", RegexOptions.Multiline)]
    private static partial Regex Entry();

    [GeneratedRegex(@"^\s*'[^']+'\s*:", RegexOptions.Multiline)]
    private static partial Regex AnyKey();

    /// <summary>Hiragana, katakana, CJK ideographs, full-width forms and Japanese punctuation.</summary>
    [GeneratedRegex(@"[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]+")]
    private static partial Regex Japanese();

    public static IReadOnlyList<string> JapaneseIn(string text)
    {
        foreach (var name in Names) text = text.Replace(name, "");
        return Japanese().Matches(text).Select(m => m.Value).ToList();
    }

    static Dictionary<string, string> Messages(string language)
    {
        var text = File.ReadAllText(Path.Combine(NodeScripts.RepositoryRoot(), "static-web", "src", "i18n", $"{language}.ts"));
        var entries = Entry().Matches(text).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
        // Every key line is read; one this scan cannot read would escape the check.
        Assert.Equal(AnyKey().Matches(text).Count, entries.Count);
        return entries;
    }

    [Fact]
    public void English_messages_have_no_Japanese_but_names()
    {
        var english = Messages("en");
        Assert.True(english.Count > 300, $"read {english.Count} messages");
        var japanese = english.Select(e => (e.Key, Found: JapaneseIn(e.Value))).Where(e => e.Found.Count > 0)
            .Select(e => $"'{e.Key}': {string.Join(" ", e.Found)}").ToList();
        Assert.True(japanese.Count == 0, "en.ts has Japanese:\n" + string.Join("\n", japanese));
    }

    [Fact]
    public void The_check_finds_Japanese_in_the_Japanese_messages()
    {
        // The same scan over ja.ts finds nearly every message: it can fail.
        var found = Messages("ja").Count(m => JapaneseIn(m.Value).Count > 0);
        Assert.True(found > 300, $"only {found} Japanese messages found in ja.ts");
    }

    [Theory]
    [InlineData("Saved", 0)]
    [InlineData("A meeting room named \"ゲストエリア\" is the entry point", 0)]
    [InlineData("Entries at \"Zoom 会議\" become meetings", 0)]
    [InlineData("保存しました", 1)]
    [InlineData("Done（3 failed）", 2)]
    [InlineData("Week: 週", 1)]
    public void Japanese_text_and_full_width_signs_are_found_names_are_not(string text, int expected) =>
        Assert.Equal(expected, JapaneseIn(text).Count);
}
