using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Zawaroom.Tests.Media;

/// <summary>
/// A TURN Allocate over UDP (RFC 5766 with the long-term credential of RFC 5389), as a browser's
/// ICE agent sends it: first unauthenticated (the server answers 401 with realm and nonce), then
/// with USERNAME, REALM, NONCE and MESSAGE-INTEGRITY. Answers the final STUN class and error code.
/// </summary>
public static class TurnAllocate
{
    const ushort Allocate = 0x0003, Success = 0x0103;
    const uint Cookie = 0x2112A442;

    public sealed record Result(bool Allocated, int ErrorCode);

    public static async Task<Result> Try(int port, string username, string password)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new IPEndPoint(IPAddress.Loopback, port);
        var first = await Exchange(udp, server, Build([Transport()], null));
        if (first.Type == Success) return new Result(true, 0);
        var realm = first.Attributes[0x0014];
        var nonce = first.Attributes[0x0015];
        var key = MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{Encoding.UTF8.GetString(realm)}:{password}"));
        var second = await Exchange(udp, server, Build([Transport(), (0x0006, Encoding.UTF8.GetBytes(username)), (0x0014, realm), (0x0015, nonce)], key));
        return second.Type == Success ? new Result(true, 0) : new Result(false, ErrorCode(second));
    }

    static (ushort, byte[]) Transport() => (0x0019, [17, 0, 0, 0]); // REQUESTED-TRANSPORT: UDP

    static int ErrorCode((ushort Type, Dictionary<ushort, byte[]> Attributes) message) =>
        message.Attributes.TryGetValue(0x0009, out var e) ? e[2] * 100 + e[3] : -1;

    static byte[] Build(IEnumerable<(ushort Type, byte[] Value)> attributes, byte[]? integrityKey)
    {
        var body = new List<byte>();
        foreach (var (type, value) in attributes) Append(body, type, value);
        var header = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(header, Allocate);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), Cookie);
        RandomNumberGenerator.Fill(header.AsSpan(8, 12));
        if (integrityKey is not null)
        {
            // The length counts MESSAGE-INTEGRITY (24 bytes) while the HMAC covers everything before it.
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(body.Count + 24));
            var mac = HMACSHA1.HashData(integrityKey, header.Concat(body).ToArray());
            Append(body, 0x0008, mac);
        }
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)body.Count);
        return [.. header, .. body];
    }

    static void Append(List<byte> body, ushort type, byte[] value)
    {
        var head = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(head, type);
        BinaryPrimitives.WriteUInt16BigEndian(head.AsSpan(2), (ushort)value.Length);
        body.AddRange(head);
        body.AddRange(value);
        while (body.Count % 4 != 0) body.Add(0);
    }

    static async Task<(ushort Type, Dictionary<ushort, byte[]> Attributes)> Exchange(UdpClient udp, IPEndPoint server, byte[] request)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await udp.SendAsync(request, server);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                var answer = (await udp.ReceiveAsync(wait.Token)).Buffer;
                var type = BinaryPrimitives.ReadUInt16BigEndian(answer);
                var attributes = new Dictionary<ushort, byte[]>();
                for (var at = 20; at + 4 <= answer.Length;)
                {
                    var t = BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(at));
                    var length = BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(at + 2));
                    attributes[t] = answer.AsSpan(at + 4, length).ToArray();
                    at += 4 + (length + 3) / 4 * 4;
                }
                return (type, attributes);
            }
            catch (OperationCanceledException) { }
        }
        throw new TimeoutException($"The TURN server on port {server.Port} did not answer.");
    }
}
