using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Zawaroom.Bench.Presence;

/// <summary>One line of a worker's input: a simulated member and where it stands.</summary>
public sealed record Target(string Email, string Url, string Token, double X, double Y, bool Mover)
{
    public string Line() => string.Join('\t', Email, Url, Token, X.ToString("R"), Y.ToString("R"), Mover ? "1" : "0");

    public static Target Parse(string line)
    {
        var f = line.Split('\t');
        return new(f[0], f[1], f[2], double.Parse(f[3]), double.Parse(f[4]), f[5] == "1");
    }
}

/// <summary>
/// A <c>moved</c> entry as the bench client reads it (JSON camelCase, or MessagePack by property
/// name): only x, which carries the send time; the other fields are parsed past, not kept.
/// </summary>
public sealed class MoveDto
{
    public double X { get; set; }
}

public sealed record MoveCommand(double X, double Y);
public sealed record ViewportCommand(double X, double Y, double Width, double Height);

/// <summary>What a worker measured during the window; one line of JSON on its stdout.</summary>
public sealed record WorkerResult(long MovesSent, long SendErrors, int Dropped, long Messages, long MovesReceived, long Bytes, double Seconds, string Histogram);

/// <summary>
/// A worker process: holds its share of the simulated clients, waits for "go" on stdin, moves a
/// tenth of them 5 times a second for the window, and reports what its clients received (and how
/// many of them the server dropped: a dropped client receives nothing, so it must be told, not hidden).
/// </summary>
public static class Worker
{
    public const double Width = 4800, Height = 2750;

    public static async Task Run(string file, string protocol, string client, int seconds)
    {
        var targets = File.ReadAllLines(file).Where(l => l.Length > 0).Select(Target.Parse).ToArray();
        var histogram = new Histogram();
        long messages = 0, movesReceived = 0, bytes = 0, movesSent = 0, sendErrors = 0;
        var measuring = 0;
        var clients = new IBenchMember[targets.Length];
        var gate = new SemaphoreSlim(8);
        await Task.WhenAll(targets.Select(async (t, i) =>
        {
            await gate.WaitAsync();
            try
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        clients[i] = await Connect(t, protocol, client, () => Volatile.Read(ref measuring) == 1, histogram,
                            n => Interlocked.Add(ref bytes, n), () => Interlocked.Increment(ref messages), n => Interlocked.Add(ref movesReceived, n));
                        break;
                    }
                    catch (Exception e) when (attempt < 5)
                    {
                        // A loaded server (the enter storm of a thousand clients) may miss a handshake; try again.
                        Console.Error.WriteLine($"  (worker: {t.Email} connect attempt {attempt} failed: {e.GetType().Name}: {e.Message})");
                        await Task.Delay(1000 * attempt);
                    }
                }
            }
            finally { gate.Release(); }
        }));

        Console.WriteLine("ready");
        if (Console.ReadLine() != "go") return;

        Volatile.Write(ref measuring, 1);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        // The window lasts its full length in every worker, movers or not: a worker of idle clients measures too.
        var window = Task.Delay(TimeSpan.FromSeconds(seconds));
        await Task.WhenAll(Enumerable.Range(0, targets.Length).Where(i => targets[i].Mover).Select(async i =>
        {
            var (x, y) = (targets[i].X, targets[i].Y);
            var step = 0;
            await Task.Delay(new Random(i).Next(200));
            // Five moves a second on a timer that does not drift; a walk back and forth, 10 px a step.
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            do
            {
                step++;
                x = Math.Clamp(Math.Floor(x) + (step % 40 < 20 ? 10 : -10), 0, Width - 2);
                try
                {
                    await clients[i].Move(SendClock.Stamp(x), y, stop.Token);
                    Interlocked.Increment(ref movesSent);
                }
                catch (OperationCanceledException) { }
                catch (Exception e)
                {
                    if (Interlocked.Increment(ref sendErrors) <= 5)
                        Console.Error.WriteLine($"  (worker: a move of {targets[i].Email} at {clock.Elapsed.TotalSeconds:F1} s failed: {e.GetType().Name}: {e.Message})");
                }
            } while (await WaitTick(timer, stop.Token));
        }).Append(window));
        // Let the last tick's batches arrive before closing the window.
        await Task.Delay(400);
        Volatile.Write(ref measuring, 0);
        var elapsed = clock.Elapsed.TotalSeconds;
        var result = new WorkerResult(movesSent, sendErrors, clients.Count(c => c.Dropped), Interlocked.Read(ref messages), Interlocked.Read(ref movesReceived),
            Interlocked.Read(ref bytes), elapsed, histogram.Encode());
        Console.WriteLine("result " + System.Text.Json.JsonSerializer.Serialize(result));

        Console.ReadLine(); // "quit" or end of input
        await Task.WhenAll(clients.Where(c => c is not null).Select(async c =>
        {
            try { await c.DisposeAsync(); } catch (Exception) { }
        }));
    }

    static async Task<IBenchMember> Connect(Target t, string protocol, string client, Func<bool> measuring, Histogram histogram,
        Action<int> bytes, Action message, Action<int> moves)
    {
        if (client == "signalr" || protocol != "json") return await ConnectSignalR(t, protocol, measuring, histogram, bytes, message, moves);
        var xs = new List<double>();
        var c = await RawClient.Connect(t.Url, t.Token, record =>
        {
            // Parsed whatever the window: a browser reads every message it gets.
            if (!RawClient.ReadInvocation(record, "moved"u8, xs) || !measuring()) return;
            message();
            moves(xs.Count);
            foreach (var x in xs)
                if (SendClock.AgeMs(x) is { } age) histogram.Add(age);
        }, n => { if (measuring()) bytes(n); }, CancellationToken.None);
        var member = new RawMember(c);
        try
        {
            await c.Invoke("Move", MoveJson(t.X, t.Y), CancellationToken.None);
            await c.Invoke("Viewport", FormattableString.Invariant($"{{\"x\":{t.X - 960:R},\"y\":{t.Y - 540:R},\"width\":1920,\"height\":1080}}"), CancellationToken.None);
            return member;
        }
        catch
        {
            await member.DisposeAsync();
            throw;
        }
    }

    static string MoveJson(double x, double y) => FormattableString.Invariant($"{{\"x\":{x:R},\"y\":{y:R}}}");

    /// <summary>A simulated member: moves, keep-alives, leaving.</summary>
    interface IBenchMember : IAsyncDisposable
    {
        Task Move(double x, double y, CancellationToken ct);
        /// <summary>The server ended the connection (it no longer receives anything).</summary>
        bool Dropped { get; }
    }

    sealed class RawMember(RawClient client) : IBenchMember
    {
        public Task Move(double x, double y, CancellationToken ct) => client.Send("Move", MoveJson(x, y), ct);
        public bool Dropped => client.Dropped;
        public ValueTask DisposeAsync() => client.DisposeAsync();
    }

    sealed class SignalRMember(HubConnection connection) : IBenchMember
    {
        public Task Move(double x, double y, CancellationToken ct) => connection.SendAsync("Move", new MoveCommand(x, y), ct);
        public bool Dropped => connection.State == HubConnectionState.Disconnected;
        public async ValueTask DisposeAsync()
        {
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await connection.StopAsync(closing.Token); } catch (Exception) { }
            await connection.DisposeAsync();
        }
    }

    static async Task<IBenchMember> ConnectSignalR(Target t, string protocol, Func<bool> measuring, Histogram histogram,
        Action<int> bytes, Action message, Action<int> moves)
    {
        var builder = new HubConnectionBuilder().WithUrl(t.Url, o =>
        {
            o.SkipNegotiation = true;
            o.Transports = HttpTransportType.WebSockets;
            o.WebSocketFactory = async (context, ct) =>
            {
                var ws = new ClientWebSocket();
                if (t.Token.Length > 0) ws.Options.SetRequestHeader("Authorization", $"Bearer {t.Token}");
                await ws.ConnectAsync(context.Uri, ct);
                return new CountingWebSocket(ws, n => { if (measuring()) bytes(n); });
            };
        });
        if (protocol == "msgpack") builder.AddMessagePackProtocol();
        var c = builder.Build();
        c.ServerTimeout = TimeSpan.FromMinutes(2);
        c.HandshakeTimeout = TimeSpan.FromMinutes(1);
        c.On<MoveDto[]>("moved", batch =>
        {
            if (!measuring()) return;
            message();
            moves(batch.Length);
            foreach (var m in batch)
                if (SendClock.AgeMs(m.X) is { } age) histogram.Add(age);
        });
        try
        {
            await c.StartAsync();
            await c.InvokeAsync("Move", new MoveCommand(t.X, t.Y));
            await c.InvokeAsync("Viewport", new ViewportCommand(t.X - 960, t.Y - 540, 1920, 1080));
            return new SignalRMember(c);
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
    }

    static async Task<bool> WaitTick(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
