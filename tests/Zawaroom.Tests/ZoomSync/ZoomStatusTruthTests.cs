using System.Net.Http.Json;
using System.Text.Json;
using Zawaroom.Tests.Support;

namespace Zawaroom.Tests.ZoomSync;

/// <summary>Z2/Z9: with Zoom down, the status, the entries and the members' e-mails say so, and a re-check heals them.</summary>
public sealed class ZoomStatusTruthTests(ZoomWorld world) : IClassFixture<ZoomWorld>
{
    [Fact]
    public async Task A_run_whose_Zoom_calls_fail_counts_them_as_failed_and_the_entry_shows_the_error_with_the_reason()
    {
        var z = await ZoomSite.Create(world, "zt_down", members: "alice@down.example");
        var id = await z.AddEntry("alice@down.example");
        world.Zoom.Unreachable = true;
        try
        {
            var run = await z.Sync();

            Assert.Equal("done", run.GetProperty("outcome").GetString());
            Assert.Equal(1, run.GetProperty("failed").GetInt32());
            Assert.Equal(0, run.GetProperty("created").GetInt32());
            var zoom = (await z.Entry("alice@down.example", id)).GetProperty("zoom");
            Assert.Equal("error", zoom.GetProperty("state").GetString());
            Assert.StartsWith("Zoom could not be reached: ", zoom.GetProperty("error").GetString());
            var status = await Http.Ensure<JsonElement>(await z.Admin.GetAsync(z.Site.Api("admin/zoom/status")));
            Assert.Equal(1, status.GetProperty("failed").GetInt32());
            var audit = Assert.Single(status.GetProperty("audit").EnumerateArray());
            Assert.Equal("create", audit.GetProperty("operation").GetString());
            Assert.Equal("定例", audit.GetProperty("entryTitle").GetString());
            Assert.StartsWith("error: Zoom could not be reached", audit.GetProperty("result").GetString());
        }
        finally
        {
            world.Zoom.Unreachable = false;
        }
        Assert.Equal(1, (await z.Sync()).GetProperty("created").GetInt32());
        Assert.Single(z.MeetingsOf("alice@down.example"));
    }

    [Fact]
    public async Task A_Zoom_email_saved_while_Zoom_is_down_says_why_blocks_its_entries_visibly_and_is_verified_by_a_recheck()
    {
        var z = await ZoomSite.Create(world, "zt_check");
        await z.Site.AddMember("bob@check.example");
        world.Zoom.AddUser(z.ZoomEmail("bob@check.example"));
        var id = await z.AddEntry("bob@check.example");
        world.Zoom.Unreachable = true;
        try
        {
            var saved = await Http.Ensure<JsonElement>(await z.Admin.PutAsJsonAsync(z.Site.Api("admin/zoom/members"),
                new { items = new[] { new { email = "bob@check.example", zoomEnabled = true, zoomEmail = z.ZoomEmail("bob@check.example") } } }));
            var member = saved.GetProperty("items")[0];
            Assert.False(member.GetProperty("zoomVerified").GetBoolean());
            Assert.Equal("unreachable", member.GetProperty("verifyReason").GetString());

            // The run asks Zoom again (a failed call) and the entry it cannot sync is counted and says why.
            var run = await z.Sync();
            Assert.Equal(2, run.GetProperty("failed").GetInt32());
            var zoom = (await z.Entry("bob@check.example", id)).GetProperty("zoom");
            Assert.Equal("error", zoom.GetProperty("state").GetString());
            Assert.StartsWith("The owner's Zoom e-mail is not verified: Zoom could not be reached", zoom.GetProperty("error").GetString());

            var still = await Http.Ensure<JsonElement>(await z.Admin.PostAsJsonAsync(z.Site.Api("admin/zoom/members/verify"), new { }));
            Assert.Equal("unreachable", still.GetProperty("items")[0].GetProperty("verifyReason").GetString());
        }
        finally
        {
            world.Zoom.Unreachable = false;
        }
        var rechecked = await Http.Ensure<JsonElement>(await z.Admin.PostAsJsonAsync(z.Site.Api("admin/zoom/members/verify"),
            new { emails = new[] { "bob@check.example" } }));
        Assert.True(rechecked.GetProperty("items")[0].GetProperty("zoomVerified").GetBoolean());
        var list = await Http.Ensure<JsonElement>(await z.Admin.GetAsync(z.Site.Api("admin/zoom/members")));
        var bob = list.GetProperty("items").EnumerateArray().Single(m => m.GetProperty("email").GetString() == "bob@check.example");
        Assert.True(bob.GetProperty("zoomVerified").GetBoolean());
        Assert.False(bob.TryGetProperty("verifyReason", out var reason) && reason.ValueKind != JsonValueKind.Null, "no reason once verified");
        Assert.Equal(1, (await z.Sync()).GetProperty("created").GetInt32());
        Assert.Equal("linked", (await z.Entry("bob@check.example", id)).GetProperty("zoom").GetProperty("state").GetString());
    }

    [Fact]
    public async Task Rechecking_a_member_without_a_Zoom_email_or_of_another_site_is_refused()
    {
        var z = await ZoomSite.Create(world, "zt_refuse", members: "carol@refuse.example");
        await Http.AssertProblem(await z.Admin.PostAsJsonAsync(z.Site.Api("admin/zoom/members/verify"), new { emails = new[] { "nobody@refuse.example" } }), 400, "validation");
        var other = await ZoomSite.Create(world, "zt_other", members: "dave@other.example");
        await Http.AssertProblem(await other.Admin.PostAsJsonAsync(other.Site.Api("admin/zoom/members/verify"), new { emails = new[] { "carol@refuse.example" } }), 400, "validation");
    }
}
