using System.Text;
using Zawaroom.Common;
using Zawaroom.RoomSettings;

namespace Zawaroom.Tests.RoomSettings;

public sealed class MediaCheckTests
{
    [Fact]
    public void A_PNG_is_known_by_its_bytes_and_its_pixel_size_is_read()
    {
        var info = MediaCheck.Image(TestMedia.Png(3000, 2000));
        Assert.Equal(new ImageInfo("image/png", 3000, 2000), info);
    }

    [Fact]
    public void JPEG_GIF_and_WebP_sizes_are_read()
    {
        Assert.Equal(new ImageInfo("image/jpeg", 1920, 1080), MediaCheck.Image(TestMedia.Jpeg(1920, 1080)));
        Assert.Equal(new ImageInfo("image/gif", 640, 480), MediaCheck.Image(TestMedia.Gif(640, 480)));
        Assert.Equal(new ImageInfo("image/webp", 4800, 2750), MediaCheck.Image(TestMedia.WebP(4800, 2750)));
    }

    [Theory]
    [InlineData("just some text, named background.png")]
    [InlineData("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")]
    [InlineData("")]
    public void A_text_file_is_not_an_image(string text)
    {
        var e = Assert.Throws<ProblemException>(() => MediaCheck.Image(Encoding.UTF8.GetBytes(text)));
        Assert.Equal("file-invalid", e.Code);
    }

    [Fact]
    public void A_PNG_signature_without_a_header_is_refused()
    {
        var e = Assert.Throws<ProblemException>(() => MediaCheck.Image([.. TestMedia.Png(400, 400).Take(12)]));
        Assert.Equal("file-invalid", e.Code);
    }

    [Fact]
    public void A_tiny_or_huge_background_is_refused()
    {
        Assert.Equal("file-invalid", Assert.Throws<ProblemException>(() => MediaCheck.Image(TestMedia.Png(10, 10))).Code);
        Assert.Equal("file-invalid", Assert.Throws<ProblemException>(() => MediaCheck.Image(TestMedia.Png(30000, 500))).Code);
    }

    [Fact]
    public void MPEG_audio_is_accepted_with_or_without_an_ID3_tag()
    {
        MediaCheck.Mp3(TestMedia.Mp3());
        MediaCheck.Mp3(TestMedia.Mp3(id3: true));
    }

    [Fact]
    public void A_PNG_named_mp3_is_not_audio()
    {
        Assert.Equal("file-invalid", Assert.Throws<ProblemException>(() => MediaCheck.Mp3(TestMedia.Png(400, 400))).Code);
    }

    [Fact]
    public void One_stray_frame_sync_is_not_audio()
    {
        byte[] bytes = [0xFF, 0xFB, 0x90, 0x00, .. Encoding.ASCII.GetBytes(new string('x', 2000))];
        Assert.Equal("file-invalid", Assert.Throws<ProblemException>(() => MediaCheck.Mp3(bytes)).Code);
        Assert.Equal("file-invalid", Assert.Throws<ProblemException>(() => MediaCheck.Mp3("ID3"u8.ToArray())).Code);
    }
}
