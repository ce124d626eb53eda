using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Zawaroom.Tests.Media;

/// <summary>A free loopback port (TCP and UDP) at the moment of asking, and a small free-looking range for media.</summary>
public static class FreePorts
{
    public static int Next()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20) { }
        }
    }

    /// <summary>A range of <paramref name="size"/> ports at a random place (other test runs pick elsewhere; the servers skip busy ones).</summary>
    public static (int From, int To) Range(int size) { var from = Random.Shared.Next(33000, 60000 - size); return (from, from + size - 1); }
}

/// <summary>A server process started by a test and stopped (with its config folder removed) at the end.</summary>
public abstract class ServerProcess : IAsyncDisposable
{
    protected readonly string Folder = Path.Combine(Path.GetTempPath(), "zawaroom-media", Guid.NewGuid().ToString("N"));
    readonly StringBuilder _log = new();
    Process? _process;

    public string Log { get { lock (_log) return _log.ToString(); } }

    protected void Start(string file, params string[] args)
    {
        Assert.True(File.Exists(file), $"{file} is missing: run tests/setup.d/40-media.sh (apt-get install janus coturn).");
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder };
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    protected async Task WaitForTcp(int port, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            if (_process is { HasExited: true }) throw new InvalidOperationException($"The server exited ({_process.ExitCode}):\n{Log}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until) { await Task.Delay(100); }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// Janus on loopback: VideoRoom only, HTTP and WebSocket transports on free ports, signed-token
/// auth, the VideoRoom admin key, ICE on the loopback interface and a small RTP range.
/// </summary>
public sealed class JanusServer : ServerProcess
{
    public string AdminKey { get; } = "room-admin-" + Guid.NewGuid().ToString("N")[..8];
    public string TokenSecret { get; } = "token-secret-" + Guid.NewGuid().ToString("N")[..8];
    public int HttpPort { get; private set; }
    public int WsPort { get; private set; }
    public string HttpUrl => $"http://127.0.0.1:{HttpPort}/janus";
    public string WsUrl => $"ws://127.0.0.1:{WsPort}";
    /// <summary>Janus's RTP ports: a connection whose remote candidate is in it goes through Janus.</summary>
    public (int From, int To) RtpRange { get; private set; }

    public static async Task<JanusServer> StartNew()
    {
        var server = new JanusServer();
        await server.Run();
        return server;
    }

    async Task Run()
    {
        Directory.CreateDirectory(Folder);
        (HttpPort, WsPort) = (FreePorts.Next(), FreePorts.Next());
        var (from, to) = FreePorts.Range(200);
        RtpRange = (from, to);
        const string lib = "/usr/lib/x86_64-linux-gnu/janus";
        string Disable(string kind, params string[] keep) =>
            string.Join(',', Directory.Exists($"{lib}/{kind}") ? Directory.GetFiles($"{lib}/{kind}", "*.so").Select(Path.GetFileName).Where(f => !keep.Contains(f)) : []);
        File.WriteAllText(Path.Combine(Folder, "janus.jcfg"), $$"""
            general: {
              configs_folder = "{{Folder}}"
              plugins_folder = "{{lib}}/plugins"
              transports_folder = "{{lib}}/transports"
              events_folder = "{{lib}}/events"
              loggers_folder = "{{lib}}/loggers"
              debug_level = 3
              token_auth = true
              token_auth_secret = "{{TokenSecret}}"
              admin_secret = "{{Guid.NewGuid():N}}"
              session_timeout = 30
            }
            media: { rtp_port_range = "{{from}}-{{to}}" }
            nat: { nice_debug = false ice_enforce_list = "lo" }
            plugins: { disable = "{{Disable("plugins", "libjanus_videoroom.so")}}" }
            transports: { disable = "{{Disable("transports", "libjanus_http.so", "libjanus_websockets.so")}}" }
            loggers: { disable = "{{Disable("loggers")}}" }
            events: { broadcast = false disable = "{{Disable("events")}}" }
            """);
        File.WriteAllText(Path.Combine(Folder, "janus.transport.http.jcfg"), $$"""
            general: { json = "compact" base_path = "/janus" http = true port = {{HttpPort}} ip = "127.0.0.1" https = false }
            admin: { admin_http = false admin_https = false }
            cors: { }
            """);
        File.WriteAllText(Path.Combine(Folder, "janus.transport.websockets.jcfg"), $$"""
            general: { json = "compact" ws = true ws_port = {{WsPort}} ws_ip = "127.0.0.1" wss = false }
            admin: { admin_ws = false admin_wss = false }
            """);
        File.WriteAllText(Path.Combine(Folder, "janus.plugin.videoroom.jcfg"), $$"""
            general: { admin_key = "{{AdminKey}}" lock_rtp_forward = true }
            """);
        Start("/usr/bin/janus", "--configs-folder", Folder, "--config", Path.Combine(Folder, "janus.jcfg"), "--disable-colors");
        await WaitForTcp(HttpPort, TimeSpan.FromSeconds(20));
        await WaitForTcp(WsPort, TimeSpan.FromSeconds(10));
    }

    /// <summary>The app's configuration for this Janus.</summary>
    public IEnumerable<KeyValuePair<string, string>> Settings(bool websocket = true) =>
    [
        new("Zawaroom:Media:JanusUrl", HttpUrl),
        new("Zawaroom:Media:JanusPublicUrl", websocket ? WsUrl : HttpUrl),
        new("Zawaroom:Media:JanusAdminKey", AdminKey),
        new("Zawaroom:Media:JanusTokenSecret", TokenSecret),
    ];
}

/// <summary>coturn on loopback with REST-API (shared secret) credentials, relaying only on loopback.</summary>
public sealed class CoturnServer : ServerProcess
{
    public string Secret { get; } = "turn-secret-" + Guid.NewGuid().ToString("N")[..8];
    public const string Realm = "zawaroom.test";
    public int Port { get; private set; }
    public string Url => $"turn:127.0.0.1:{Port}?transport=udp";

    public static async Task<CoturnServer> StartNew()
    {
        var server = new CoturnServer();
        await server.Run();
        return server;
    }

    async Task Run()
    {
        Directory.CreateDirectory(Folder);
        Port = FreePorts.Next();
        var (from, to) = FreePorts.Range(100);
        var config = Path.Combine(Folder, "turnserver.conf");
        File.WriteAllText(config, $"""
            listening-ip=127.0.0.1
            relay-ip=127.0.0.1
            listening-port={Port}
            min-port={from}
            max-port={to}
            use-auth-secret
            static-auth-secret={Secret}
            realm={Realm}
            fingerprint
            no-tls
            no-dtls
            no-cli
            no-multicast-peers
            allow-loopback-peers
            no-software-attribute
            pidfile={Path.Combine(Folder, "turnserver.pid")}
            log-file=stdout
            simple-log
            """);
        Start("/usr/bin/turnserver", "-c", config);
        await WaitForTcp(Port, TimeSpan.FromSeconds(20));
    }

    public IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("Zawaroom:Media:TurnUrls", Url),
        new("Zawaroom:Media:TurnSecret", Secret),
    ];
}
