using System.Net.Http.Headers;
using Zawaroom.Common;
using Zawaroom.RoomSettings;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.RoomSettings;

/// <summary>
/// Probe finding: images were judged by their header, so a small file claiming (or decompressing to) hundreds of
/// megapixels, or one cut short, was stored and then handed to every visitor's browser.
/// </summary>
public sealed class DecodedImageBudgetTests(TestApp app) : IClassFixture<TestApp>
{
    static string Refused(byte[] bytes) => Assert.Throws<ProblemException>(() => MediaCheck.Picture(bytes)).Code;

    [Fact]
    public void A_header_that_claims_pixels_the_file_does_not_hold_is_refused()
    {
        Assert.Equal("file-invalid", Refused(TestMedia.PngHeaderOnly(400, 400)));
        Assert.Equal("file-invalid", Assert.Throws<ProblemException>(() => MediaCheck.Image(TestMedia.PngHeaderOnly(3000, 2000))).Code);
    }

    public static TheoryData<string> Formats => new() { "png", "jpeg", "webp", "gif" };

    static byte[] Make(string format, int w, int h) => format switch
    {
        "png" => TestMedia.Png(w, h),
        "jpeg" => TestMedia.Jpeg(w, h),
        "webp" => TestMedia.WebP(w, h),
        _ => TestMedia.Gif(w, h),
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_truncated_image_is_refused_and_the_whole_one_accepted(string format)
    {
        var whole = Make(format, 640, 480);
        Assert.Equal((640, 480), (MediaCheck.Picture(whole).Width, MediaCheck.Picture(whole).Height));
        Assert.Equal("file-invalid", Refused(whole[..(whole.Length / 2)]));
    }

    [Fact]
    public void An_image_that_decodes_beyond_the_pixel_budget_is_refused_whatever_its_file_size()
    {
        var bomb = TestMedia.PngBomb(8000, 6000); // 48 megapixels in a few tens of KB
        Assert.True(bomb.Length < 200_000);
        var e = Assert.Throws<ProblemException>(() => MediaCheck.Image(bomb));
        Assert.Equal("file-invalid", e.Code);
        Assert.Contains("megapixels", e.Message);
        Assert.Equal("file-invalid", Refused(TestMedia.Gif(7000, 6000)));
    }

    [Fact]
    public void A_large_image_within_the_budget_is_checked_and_accepted()
    {
        var wide = TestMedia.PngBomb(20000, 1900); // 38 MP, checked row by row
        Assert.Equal(new ImageInfo("image/png", 20000, 1900), MediaCheck.Image(wide));
        Assert.Equal(new ImageInfo("image/jpeg", 7000, 5000), MediaCheck.Image(TestMedia.Jpeg(7000, 5000)));
    }

    [Fact]
    public async Task A_decompression_bomb_background_is_refused_by_the_api_and_changes_nothing()
    {
        var site = await app.CreateSite("img_bomb");
        var admin = await site.Admin();
        var room = await site.AddRoom(await site.AddSpace());
        var body = new ByteArrayContent(TestMedia.PngBomb(8000, 6000));
        body.Headers.ContentType = new MediaTypeHeaderValue("image/png");

        await Http.AssertProblem(await admin.PutAsync(site.Api($"rooms/{room}/background"), body), 400, "file-invalid");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await admin.GetAsync(site.Api($"rooms/{room}/background"))).StatusCode);
    }
}
