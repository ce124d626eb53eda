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
        "Zawaroom.DataProtection", "Zawaroom.ZoomSync.InProcess", "Zawaroom.ZoomSync.AzureQueue", "Zawaroom.Media.Janus",
    ];

    /// <summary>The hosts: each is a composition root (the API app's Hosting and Program.cs; the SyncWorker Function App).</summary>
    static readonly string[] Hosts = ["Zawaroom.Hosting", "Zawaroom.SyncWorker"];

    /// <summary>Whether <paramref name="text"/>, a file of namespace <paramref name="ns"/>, names the adapter namespace.</summary>
    static bool Names(string text, string ns, string adapter)
    {
        if (Regex.IsMatch(text, $@"(?<![A-Za-z0-9_]){Regex.Escape(adapter)}(?![A-Za-z0-9_])")
            || Regex.IsMatch(text, $@"(?<![A-Za-z0-9_.])\b{Regex.Escape(adapter["Zawaroom.".Length..])}\.[A-Z]"))
            return true;
        // Inside the adapter's parent namespace its types are reachable by the last part alone ("InProcess.InProcessZoomSync").
        var parent = adapter[..adapter.LastIndexOf('.')];
        return (ns == parent || ns.StartsWith(parent + ".", StringComparison.Ordinal))
            && Regex.IsMatch(text, $@"(?<![A-Za-z0-9_.]){Regex.Escape(adapter[(parent.Length + 1)..])}\.[A-Z]");
    }

    /// <summary>A registration that only takes effect when nothing was registered before it: who wins depends on the order.</summary>
    [GeneratedRegex(@"\.TryAdd(Singleton|Scoped|Transient|Enumerable|Keyed\w*)\b|\.TryAdd\s*\(\s*(new\s+)?ServiceDescriptor\b")]
    private static partial Regex TryAddRegistration();

    static IEnumerable<(string Relative, string Text)> Sources()
    {
        var functions = Path.Combine(Repo.Root(), "functions");
        foreach (var file in Directory.EnumerateFiles(functions, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(functions, file).Replace('\\', '/');
            if (relative.StartsWith("bin/") || relative.Contains("/bin/") || relative.StartsWith("obj/") || relative.Contains("/obj/")) continue;
            yield return (relative, File.ReadAllText(file));
        }
    }

    [GeneratedRegex(@"^\s*namespace\s+([A-Za-z0-9_.]+)", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [Fact]
    public void No_feature_names_an_adapter_namespace()
    {
        var offences = new List<string>();
        var features = 0;
        foreach (var (relative, text) in Sources())
        {
            if (relative == "Program.cs") continue;
            var ns = Namespace().Match(text) is { Success: true } m ? m.Groups[1].Value : "";
            if (Hosts.Contains(ns) || Adapters.Any(a => ns == a || ns.StartsWith(a + "."))) continue;
            features++;
            // Another adapter namespace inside an adapter is that adapter's business; a feature may name none.
            foreach (var adapter in Adapters)
                if (Names(text, ns, adapter)) offences.Add($"{relative} ({ns}) names {adapter}");
        }
        Assert.True(features > 20, "the scan found the feature files");
        Assert.Empty(offences);
    }

    [Fact]
    public void No_registration_is_a_TryAdd_that_wins_by_registration_order()
    {
        var offences = Sources().Where(f => TryAddRegistration().IsMatch(f.Text)).Select(f => f.Relative).ToList();
        Assert.Empty(offences);
    }

    [Fact]
    public void The_TryAdd_scan_notices_a_registration_and_leaves_a_dictionary_alone()
    {
        Assert.Matches(TryAddRegistration(), "services.TryAddSingleton<IZoomSyncFaults, NoFaults>();");
        Assert.Matches(TryAddRegistration(), "services.TryAdd(ServiceDescriptor.Singleton<IBlobStore, FolderBlobStore>());");
        Assert.DoesNotMatch(TryAddRegistration(), "claims.TryAdd(pair[..split].Trim(), value);");
        Assert.DoesNotMatch(TryAddRegistration(), "_open.TryAdd(room, new OpenRoom(siteId));");
    }

    /// <summary>
    /// Every port an adapter implements (an interface of ours) is bound exactly once in the app's services, so
    /// no binding silently replaces another (a feature's own default that the composition root overrides, or the reverse).
    /// </summary>
    [Fact]
    public void Every_port_an_adapter_implements_is_bound_once()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(new Microsoft.AspNetCore.Builder.WebApplicationOptions { EnvironmentName = "Testing" });
        Zawaroom.Hosting.ZawaroomHost.AddZawaroomHost(builder);
        var adapterTypes = typeof(Zawaroom.Hosting.ZawaroomHost).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && Adapters.Any(a => t.Namespace == a || t.Namespace?.StartsWith(a + ".") == true)).ToList();
        var ports = adapterTypes.SelectMany(t => t.GetInterfaces())
            .Where(i => i.Namespace?.StartsWith("Zawaroom.", StringComparison.Ordinal) == true && !Adapters.Contains(i.Namespace)).Distinct().ToList();
        Assert.Contains(typeof(Zawaroom.Storage.IDocumentStore), ports);
        Assert.Contains(typeof(Zawaroom.Media.ISfu), ports);
        Assert.Contains(typeof(Zawaroom.ZoomSync.IZoomSyncNow), ports);

        var bindings = ports.Append(typeof(Azure.Core.TokenCredential)).Append(typeof(Zawaroom.Schedules.ISiteTimeZone))
            .ToDictionary(p => p, p => builder.Services.Count(d => d.ServiceType == p));
        Assert.All(bindings, b => Assert.True(b.Value == 1, $"{b.Key.Name} is bound {b.Value} times"));
    }

    [Fact]
    public void The_scan_notices_a_feature_that_names_an_adapter()
    {
        // The rule above is only worth something if it can fail: the same match on a made-up feature file.
        Assert.True(Names("namespace Zawaroom.Live;\nusing Zawaroom.Realtime.InProcess;\n", "Zawaroom.Live", "Zawaroom.Realtime.InProcess"));
        Assert.True(Names("services.AddSingleton<InProcess.InProcessZoomSync>();", "Zawaroom.ZoomSync", "Zawaroom.ZoomSync.InProcess"));
        Assert.True(Names("services.AddHttpClient<ISfu, Janus.JanusSfu>();", "Zawaroom.Media", "Zawaroom.Media.Janus"));
        Assert.False(Names("// see InProcess/InProcessZoomSync.cs", "Zawaroom.ZoomSync", "Zawaroom.ZoomSync.InProcess"));
    }
}
