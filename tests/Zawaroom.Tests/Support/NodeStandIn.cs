using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Zawaroom.Tests.Support;

/// <summary>
/// A local stand-in of an Azure service from tests/standins/node_modules (installed by
/// tests/setup.d/20-standins.sh), run with node on 127.0.0.1 for one test fixture and stopped with it.
/// A missing install fails the tests loudly; nothing is skipped.
/// </summary>
public sealed class NodeStandIn : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    NodeStandIn(Process process) => _process = process;

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static string StandInsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "standins");
            if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
        }
        throw new InvalidOperationException("tests/standins/package.json not found above " + AppContext.BaseDirectory);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <c>node script args</c> and waits until a line matches <paramref name="ready"/>; returns the match.</summary>
    public static async Task<(NodeStandIn StandIn, Match Ready)> Start(string script, IEnumerable<string> args, Regex ready, string? workingDirectory = null)
    {
        var path = Path.Combine(StandInsFolder(), "node_modules", script);
        if (!File.Exists(path))
            throw new InvalidOperationException($"{path} is missing: run `bash tests/setup.d/20-standins.sh` (tests/run-all.sh does).");
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        info.ArgumentList.Add(path);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["NODE_NO_WARNINGS"] = "1";
        var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var standIn = new NodeStandIn(process);
        var matched = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (standIn._output) standIn._output.AppendLine(line);
            var match = ready.Match(line);
            if (match.Success) matched.TrySetResult(match);
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => matched.TrySetException(new InvalidOperationException($"{script} exited: {standIn.Output}"));

        var finished = await Task.WhenAny(matched.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        if (finished != matched.Task)
        {
            await standIn.DisposeAsync();
            throw new TimeoutException($"{script} did not become ready: {standIn.Output}");
        }
        return (standIn, await matched.Task);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
