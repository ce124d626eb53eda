using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Zawaroom.Tests.Resilience;

/// <summary>
/// The built app (Zawaroom.Functions.dll) as its own OS process on a free loopback port, so a test can
/// SIGKILL it the way a crash or an out-of-memory kill would, and start it again on the same data folder.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    public HttpClient Http { get; }
    public Uri BaseAddress { get; }

    AppProcess(Process process, int port)
    {
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
    }

    /// <summary>The output so far (for failure messages).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    public bool HasExited => _process.HasExited;

    public static async Task<AppProcess> Start(IReadOnlyDictionary<string, string> settings)
    {
        var appDll = typeof(Program).Assembly.Location;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", $"\"{appDll}\"")
        {
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString();
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        var app = new AppProcess(Process.Start(start)!, port);
        app._process.OutputDataReceived += (_, e) => app.Append(e.Data);
        app._process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        try
        {
            await app.WaitUntilHealthy();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (_output) if (_output.Length < 200_000) _output.AppendLine(line);
    }

    /// <summary>Polls /healthz; a loaded 2-core machine may take many seconds to start .NET.</summary>
    async Task WaitUntilHealthy()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The app exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await probe.GetAsync("/healthz")).IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The app did not answer /healthz within 90 s:\n{Output}");
    }

    /// <summary>
    /// SIGSTOP: the process stops running but keeps its sockets, so requests sent to it now are accepted
    /// and never answered; a <see cref="Kill"/> then ends it holding them, as a crash in the middle of work.
    /// </summary>
    public async Task Freeze()
    {
        using var stop = Process.Start(new ProcessStartInfo("kill", $"-STOP {_process.Id}") { UseShellExecute = false })!;
        await stop.WaitForExitAsync();
        if (stop.ExitCode != 0) throw new InvalidOperationException($"kill -STOP {_process.Id} failed with {stop.ExitCode}.");
    }

    /// <summary>SIGKILL, the whole tree: no shutdown hooks, no flushing, as a crash.</summary>
    public async Task Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited in the meantime
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try { await Kill(); } catch (Exception) { }
        Http.Dispose();
        _process.Dispose();
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
