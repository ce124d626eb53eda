using System.Text.RegularExpressions;
using Zawaroom.Tests.Deployment;

namespace Zawaroom.Tests.Hosting;

/// <summary>
/// ARCHITECTURE.md "Rules": features depend on ports, never on an adapter; adapters are chosen in one
/// place (functions/Hosting and Program.cs). A feature file that names an adapter's namespace fails here.
/// </summary>
public sealed partial class CompositionRootTests
{
    /// <summary>The adapter families: one folder (and namespace) each.</summary>
    static readonly string[] Adapters =
    [
        "Zawaroom.Storage.Sqlite", "Zawaroom.Storage.Cosmos", "Zawaroom.Blobs.Folder", "Zawaroom.Blobs.Azure",
        "Zawaroom.Logs.Sqlite", "Zawaroom.Logs.Cosmos", "Zawaroom.Presence.Memory", "Zawaroom.Presence.Cosmos",
        "Zawaroom.Realtime.InProcess", "Zawaroom.Realtime.AzureSignalR",
    ];

    [GeneratedRegex(@"^\s*namespace\s+([A-Za-z0-9_.]+)", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [Fact]
    public void No_feature_names_an_adapter_namespace()
    {
        var functions = Path.Combine(Repo.Root(), "functions");
        var offences = new List<string>();
        var features = 0;
        foreach (var file in Directory.EnumerateFiles(functions, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(functions, file).Replace('\\', '/');
            if (relative.StartsWith("bin/") || relative.StartsWith("obj/") || relative == "Program.cs") continue;
            var text = File.ReadAllText(file);
            var ns = Namespace().Match(text) is { Success: true } m ? m.Groups[1].Value : "";
            if (ns == "Zawaroom.Hosting" || Adapters.Any(a => ns == a || ns.StartsWith(a + "."))) continue;
            features++;
            // Another adapter namespace inside an adapter is that adapter's business; a feature may name none.
            foreach (var adapter in Adapters)
                if (Regex.IsMatch(text, $@"(?<![A-Za-z0-9_]){Regex.Escape(adapter)}(?![A-Za-z0-9_])")
                    || Regex.IsMatch(text, $@"(?<![A-Za-z0-9_.])\b{Regex.Escape(adapter["Zawaroom.".Length..])}\.[A-Z]"))
                    offences.Add($"{relative} ({ns}) names {adapter}");
        }
        Assert.True(features > 20, "the scan found the feature files");
        Assert.Empty(offences);
    }

    [Fact]
    public void The_scan_notices_a_feature_that_names_an_adapter()
    {
        // The rule above is only worth something if it can fail: the same match on a made-up feature file.
        const string feature = "namespace Zawaroom.Live;\nusing Zawaroom.Realtime.InProcess;\n";
        Assert.Contains(Adapters, a => Regex.IsMatch(feature, $@"(?<![A-Za-z0-9_]){Regex.Escape(a)}(?![A-Za-z0-9_])"));
    }
}
