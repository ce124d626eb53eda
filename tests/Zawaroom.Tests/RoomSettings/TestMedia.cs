using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace Zawaroom.Tests.RoomSettings;

/// <summary>Real, decodable images (encoded by SkiaSharp; GIF by hand), crafted broken ones, and MPEG audio built byte by byte.</summary>
public static class TestMedia
{
    public static byte[] Png(int width, int height, int seed = 0) => Encode(width, height, seed, SKEncodedImageFormat.Png);

    public static byte[] Jpeg(int width, int height) => Encode(width, height, 0, SKEncodedImageFormat.Jpeg);

    public static byte[] WebP(int width, int height) => Encode(width, height, 0, SKEncodedImageFormat.Webp);

    /// <summary>A real, decodable image of one colour (the seed picks it), so that each seed gives other bytes.</summary>
    static byte[] Encode(int width, int height, int seed, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        bitmap.Erase(new SKColor((byte)(40 + seed * 37), (byte)(90 + seed * 11), 160));
        using var data = bitmap.Encode(format, 80);
        return data.ToArray();
    }

    /// <summary>An image that says it has <paramref name="width"/> x <paramref name="height"/> pixels and holds none: a PNG header only.</summary>
    public static byte[] PngHeaderOnly(int width, int height)
    {
        var s = new MemoryStream();
        s.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 6;
        Chunk(s, "IHDR", ihdr);
        Chunk(s, "IEND", []);
        return s.ToArray();
    }

    /// <summary>A PNG of <paramref name="width"/> x <paramref name="height"/> whose pixels compress to almost nothing (a decompression bomb).</summary>
    public static byte[] PngBomb(int width, int height)
    {
        var s = new MemoryStream();
        s.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 0; // 8-bit grey
        Chunk(s, "IHDR", ihdr);
        var zipped = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(zipped, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[width + 1];
            for (var y = 0; y < height; y++) z.Write(row);
        }
        Chunk(s, "IDAT", zipped.ToArray());
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

    /// <summary>
    /// A real GIF of one colour (Skia encodes no GIF). Its LZW data is "uncompressed": 8-bit codes, a clear code
    /// every 126 pixels so that the code width never grows.
    /// </summary>
    public static byte[] Gif(int width, int height)
    {
        var s = new MemoryStream();
        s.Write("GIF89a"u8);
        s.Write([(byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0xF6, 0x00, 0x00]); // 128-colour table
        for (var i = 0; i < 128; i++) s.Write([(byte)(i * 2), 0x80, 0x40]);
        s.Write([0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0x00]);
        s.WriteByte(7); // minimum code size: clear = 128, end = 129, codes of 8 bits
        var codes = new MemoryStream();
        var pixels = (long)width * height;
        for (long done = 0; done < pixels; done += 126)
        {
            codes.WriteByte(128);
            for (var i = 0; i < Math.Min(126, pixels - done); i++) codes.WriteByte(3);
        }
        codes.WriteByte(129);
        var bytes = codes.ToArray();
        for (var at = 0; at < bytes.Length; at += 255)
        {
            var n = Math.Min(255, bytes.Length - at);
            s.WriteByte((byte)n);
            s.Write(bytes, at, n);
        }
        s.Write([0x00, 0x3B]);
        return s.ToArray();
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
