using System.Runtime.InteropServices;
using SkiaSharp;
using Zawaroom.Common;

namespace Zawaroom.RoomSettings;

public sealed record ImageInfo(string ContentType, int Width, int Height);

/// <summary>
/// What an uploaded file really is, from its bytes, never its name: images (PNG, JPEG, WebP, GIF,
/// decoded by SkiaSharp within a pixel budget) and BGM (MPEG audio frames, optionally after
/// an ID3v2 tag). A file that is not what it must be is a 400 "file-invalid".
/// </summary>
public static class MediaCheck
{
    public static ProblemException FileInvalid(string detail) => Problems.Of(400, "file-invalid", "Invalid file", detail);

    public static ProblemException TooLarge(string what, long limit) =>
        Problems.Of(413, "too-large", "Too large", $"The {what} is larger than {limit / (1024 * 1024)} MB.",
            new Dictionary<string, object?> { ["limitBytes"] = limit });

    /// <summary>The image type by its signature, or null.</summary>
    public static string? SniffImage(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 8 && b[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return "image/png";
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "image/jpeg";
        if (b.Length >= 6 && (b[..6].SequenceEqual("GIF87a"u8) || b[..6].SequenceEqual("GIF89a"u8))) return "image/gif";
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        return null;
    }

    /// <summary>
    /// Pixels an image may decode to, all frames of an animation together: 40 MP is 160 MB in a browser's
    /// memory, the most a room's background or a placed image may cost every visitor.
    /// </summary>
    public const long MaxDecodedPixels = 40_000_000;

    /// <summary>Decoding at most this many pixels at once while checking (16 MB): larger images are checked row by row or scaled.</summary>
    const long CheckBufferPixels = 4_000_000;

    /// <summary>Full decodes that cannot be done in rows (GIF, interlaced PNG) take turns, so checking stays within one image's memory.</summary>
    static readonly SemaphoreSlim FullDecode = new(1, 1);

    /// <summary>The type and pixel size of a background image; file-invalid when it is not one or its size is out of range.</summary>
    public static ImageInfo Image(byte[] bytes)
    {
        var image = Picture(bytes);
        var (w, h) = (image.Width, image.Height);
        if (w < LayoutRules.MinSide || h < LayoutRules.MinSide || w > LayoutRules.MaxSide || h > LayoutRules.MaxSide)
            throw FileInvalid($"A background is {LayoutRules.MinSide}-{LayoutRules.MaxSide} pixels on each side; this one is {w} x {h}.");
        return image;
    }

    /// <summary>
    /// Any image the app stores (backgrounds, images placed in a room): judged by what it decodes to, not its header.
    /// SkiaSharp (MIT; Google's Skia codecs) first reads the size alone, the pixel budget is checked, and only then is
    /// the image decoded, in rows or scaled down where the format allows, so truncated or undecodable data is refused
    /// without ever holding the full picture.
    /// </summary>
    public static ImageInfo Picture(byte[] bytes)
    {
        var type = SniffImage(bytes) ?? throw FileInvalid("The file is not a PNG, JPEG, WebP or GIF image.");
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw FileInvalid("The image could not be read.");
        var (w, h) = (codec.Info.Width, codec.Info.Height);
        if (w <= 0 || h <= 0) throw FileInvalid("The image has no pixels.");
        var frames = Math.Max(1, codec.FrameCount);
        if ((long)w * h * frames > MaxDecodedPixels)
            throw FileInvalid($"The image decodes to {(long)w * h * frames / 1_000_000.0:0.#} megapixels{(frames > 1 ? $" over {frames} frames" : "")}; at most {MaxDecodedPixels / 1_000_000} are allowed.");
        var result = Decode(codec, w, h);
        if (result is not SKCodecResult.Success)
            throw FileInvalid(result == SKCodecResult.IncompleteInput ? "The image is cut short (truncated)." : $"The image could not be decoded ({result}).");
        return new ImageInfo(type, w, h);
    }

    static SKCodecResult Decode(SKCodec codec, int w, int h)
    {
        // JPEG and WebP decode scaled down: every byte is still decoded, into a small picture.
        var scaled = codec.GetScaledDimensions(Math.Min(1f, (float)Math.Sqrt(CheckBufferPixels / ((double)w * h))));
        if ((long)scaled.Width * scaled.Height <= CheckBufferPixels)
            return Into(codec, new SKImageInfo(scaled.Width, scaled.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul);
        // PNG (not interlaced): one row at a time.
        if (codec.StartScanlineDecode(info) == SKCodecResult.Success)
        {
            var row = Marshal.AllocHGlobal(info.RowBytes);
            try
            {
                for (var y = 0; y < h; y++)
                    if (codec.GetScanlines(row, 1, info.RowBytes) != 1) return SKCodecResult.IncompleteInput;
                return SKCodecResult.Success;
            }
            finally { Marshal.FreeHGlobal(row); }
        }
        FullDecode.Wait();
        try { return Into(codec, info); }
        finally { FullDecode.Release(); }
    }

    static SKCodecResult Into(SKCodec codec, SKImageInfo info)
    {
        var pixels = Marshal.AllocHGlobal((IntPtr)info.BytesSize64);
        try { return codec.GetPixels(info, pixels); }
        finally { Marshal.FreeHGlobal(pixels); }
    }

    static readonly int[] Mpeg1Layer3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0];
    static readonly int[] Mpeg2Layer3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0];
    static readonly int[][] SampleRates = [[11025, 12000, 8000], [0, 0, 0], [22050, 24000, 16000], [44100, 48000, 32000]];

    /// <summary>
    /// An mp3: an optional ID3v2 tag, then at least three consecutive valid MPEG audio layer III
    /// frame headers, each where the previous frame's length says it is.
    /// </summary>
    public static void Mp3(byte[] bytes)
    {
        var offset = 0;
        if (bytes.Length >= 10 && bytes[0] == 'I' && bytes[1] == 'D' && bytes[2] == '3')
        {
            if (bytes[6] >= 0x80 || bytes[7] >= 0x80 || bytes[8] >= 0x80 || bytes[9] >= 0x80) throw FileInvalid("The ID3 tag is damaged.");
            offset = 10 + (bytes[6] << 21 | bytes[7] << 14 | bytes[8] << 7 | bytes[9]) + ((bytes[5] & 0x10) != 0 ? 10 : 0);
        }
        for (var frame = 0; frame < 3; frame++)
        {
            var length = FrameLength(bytes, offset) ?? throw FileInvalid("The file is not MPEG audio (mp3).");
            offset += length;
            if (offset >= bytes.Length && frame >= 1) return;
        }
    }

    /// <summary>The length of the MPEG layer III frame whose header starts at <paramref name="at"/>, or null.</summary>
    public static int? FrameLength(byte[] b, int at)
    {
        if (at < 0 || at + 4 > b.Length) return null;
        if (b[at] != 0xFF || (b[at + 1] & 0xE0) != 0xE0) return null;
        var version = (b[at + 1] >> 3) & 3;       // 3 = MPEG1, 2 = MPEG2, 0 = MPEG2.5, 1 reserved
        var layer = (b[at + 1] >> 1) & 3;         // 1 = layer III
        if (version == 1 || layer != 1) return null;
        var bitrateIndex = b[at + 2] >> 4;
        var rateIndex = (b[at + 2] >> 2) & 3;
        if (bitrateIndex is 0 or 15 || rateIndex == 3) return null;
        var padding = (b[at + 2] >> 1) & 1;
        var bitrate = (version == 3 ? Mpeg1Layer3 : Mpeg2Layer3)[bitrateIndex] * 1000;
        var sampleRate = SampleRates[version][rateIndex];
        var length = (version == 3 ? 144 : 72) * bitrate / sampleRate + padding;
        return length > 4 ? length : null;
    }
}
