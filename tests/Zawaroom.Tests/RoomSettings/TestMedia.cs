using System.Buffers.Binary;
using System.Text;

namespace Zawaroom.Tests.RoomSettings;

/// <summary>Small, well-formed image headers and MPEG audio, built byte by byte.</summary>
public static class TestMedia
{
    public static byte[] Png(int width, int height, int seed = 0)
    {
        var s = new MemoryStream();
        s.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 6;
        Chunk(s, "IHDR", ihdr);
        Chunk(s, "tEXt", Encoding.ASCII.GetBytes("Comment\0seed " + seed));
        Chunk(s, "IEND", []);
        return s.ToArray();
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        s.Write(header);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(header, Crc32(typed));
        s.Write(header);
    }

    static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    public static byte[] Jpeg(int width, int height)
    {
        var sof = new byte[] { 0xFF, 0xC0, 0x00, 0x11, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x03,
            0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01 };
        return [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF\0"u8, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, .. sof, 0xFF, 0xD9];
    }

    public static byte[] Gif(int width, int height) =>
        [.. "GIF89a"u8, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0x00, 0x00, 0x00, 0x3B];

    public static byte[] WebP(int width, int height)
    {
        var chunk = new byte[10];
        chunk[4] = (byte)(width - 1); chunk[5] = (byte)((width - 1) >> 8); chunk[6] = (byte)((width - 1) >> 16);
        chunk[7] = (byte)(height - 1); chunk[8] = (byte)((height - 1) >> 8); chunk[9] = (byte)((height - 1) >> 16);
        var body = new MemoryStream();
        body.Write("WEBP"u8);
        body.Write("VP8X"u8);
        body.Write(BitConverter.GetBytes(10));
        body.Write(chunk);
        var riff = new MemoryStream();
        riff.Write("RIFF"u8);
        riff.Write(BitConverter.GetBytes((int)body.Length));
        riff.Write(body.ToArray());
        return riff.ToArray();
    }

    /// <summary>MPEG-1 layer III, 128 kbit/s, 44.1 kHz frames (417 bytes each), optionally after an ID3v2 tag.</summary>
    public static byte[] Mp3(int frames = 10, bool id3 = false, byte fill = 0)
    {
        var s = new MemoryStream();
        if (id3) s.Write([(byte)'I', (byte)'D', (byte)'3', 3, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        for (var i = 0; i < frames; i++)
        {
            s.Write([0xFF, 0xFB, 0x90, 0x00]);
            s.Write(Enumerable.Repeat(fill, 413).ToArray());
        }
        return s.ToArray();
    }
}
