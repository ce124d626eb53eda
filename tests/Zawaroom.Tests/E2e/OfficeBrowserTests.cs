using Xunit.Abstractions;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.E2e;

/// <summary>
/// Issue 14's live room in headless Chromium (tests/e2e/office.test.mjs): room previews, people
/// spread at the entrance, boards next to their author and readable, author-only dragging, placed
/// images, toolbar toggle states. Screenshots land in tests/e2e/screenshots/4*.png.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class OfficeBrowserTests(TestApp app, ITestOutputHelper output) : IClassFixture<TestApp>
{
    [Fact]
    public async Task A_new_user_sees_an_office_with_people_boards_and_an_image_in_real_browsers()
    {
        NodeScripts.RequireBrowser();
        var site = await app.CreateSite("office-e2e", maxUsersCount: 20);
        var user = await site.AddMember("hana@office.example");
        var space = await site.AddSpace("本社");
        var room = await site.AddRoom(space, "オフィス");

        var (exitCode, text) = await NodeScripts.Run("office.test.mjs", new Dictionary<string, string>
        {
            ["ZAWAROOM_BASE_URL"] = app.BaseAddress.ToString().TrimEnd('/'),
            ["ZAWAROOM_SITE"] = site.Subdomain,
            ["ZAWAROOM_ADMIN"] = site.AdminEmail,
            ["ZAWAROOM_USER"] = user,
            ["ZAWAROOM_ROOM"] = room,
            ["ZAWAROOM_CHROMIUM"] = NodeScripts.Chromium,
            ["NO_COLOR"] = "1",
        });
        Assert.True(exitCode == 0, $"The office browser tests failed (exit {exitCode}):\n{text}");
        output.WriteLine(text);
    }
}
