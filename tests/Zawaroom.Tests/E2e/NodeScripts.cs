using System.Diagnostics;

namespace Zawaroom.Tests.E2e;

/// <summary>Runs one Playwright script of tests/e2e with node and gives back its exit code and output.</summary>
public static class NodeScripts
{
    public const string Chromium = "/usr/bin/chromium";
    static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);

    public static string E2eFolder => Path.Combine(RepositoryRoot(), "tests", "e2e");

    /// <summary>Fails (never skips) when chromium or the npm packages are missing.</summary>
    public static void RequireBrowser()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run tests/setup.d/30-web.sh (apt-get install chromium).");
        Assert.True(Directory.Exists(Path.Combine(E2eFolder, "node_modules", "playwright-core")),
            "tests/e2e/node_modules is missing: run tests/setup.d/30-web.sh (npm ci).");
    }

    public static async Task<(int ExitCode, string Output)> Run(string script, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node", ["--test-reporter=spec", "--test-concurrency=1", script])
        {
            WorkingDirectory = E2eFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"Stopped after {Limit}.\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, $"{await stdout}\n{await stderr}".Trim());
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Zawaroom.Functions.sln"))) return dir.FullName;
        throw new InvalidOperationException("Zawaroom.Functions.sln not found above " + AppContext.BaseDirectory);
    }
}
