using Zawaroom.RoomSettings;
using Settings = Zawaroom.RoomSettings.RoomSettingsDocument;

namespace Zawaroom.Tests.RoomSettings;

public sealed class EntryPermissionTests
{
    [Fact]
    public void With_no_domain_and_no_user_every_member_may_enter()
    {
        Assert.True(EntryPermission.Allows(new EntrySettings(), "anyone@anywhere.example"));
    }

    [Fact]
    public void A_checked_domain_lets_its_members_in_and_no_one_else()
    {
        var entry = new EntrySettings { Domains = ["a.example"] };
        Assert.True(EntryPermission.Allows(entry, "taro@a.example"));
        Assert.True(EntryPermission.Allows(entry, "Taro@A.Example"));
        Assert.False(EntryPermission.Allows(entry, "hanako@b.example"));
        Assert.False(EntryPermission.Allows(entry, "x@sub.a.example"));
    }

    [Fact]
    public void Domains_and_users_are_a_union()
    {
        var entry = new EntrySettings { Domains = ["a.example"], Users = ["guest@b.example"] };
        Assert.True(EntryPermission.Allows(entry, "taro@a.example"));
        Assert.True(EntryPermission.Allows(entry, "guest@b.example"));
        Assert.False(EntryPermission.Allows(entry, "other@b.example"));
    }

    [Fact]
    public void Users_alone_restrict_the_room_to_them()
    {
        var entry = new EntrySettings { Users = ["guest@b.example"] };
        Assert.True(EntryPermission.Allows(entry, "GUEST@b.example"));
        Assert.False(EntryPermission.Allows(entry, "taro@a.example"));
    }

    [Fact]
    public void Domains_the_site_added_later_appear_unchecked()
    {
        var entry = new EntrySettings { Domains = ["a.example"] };
        var choices = EntryPermission.Choices(entry, ["a.example", "new.example"]);
        Assert.Equal([new DomainChoice("a.example", true), new DomainChoice("new.example", false)], choices);
    }

    [Fact]
    public void A_checked_domain_the_site_dropped_is_shown_retired_and_still_restricts()
    {
        var entry = new EntrySettings { Domains = ["gone.example"] };
        Assert.Equal([new DomainChoice("a.example", false), new DomainChoice("gone.example", true, Retired: true)],
            EntryPermission.Choices(entry, ["a.example"]));
        Assert.False(EntryPermission.Allows(entry, "taro@a.example"));
    }
}

public sealed class EntryPositionTests
{
    static MeetingRoom Area(string name, int x, int y) => new() { Id = name, Name = name, X = x, Y = y, Width = 100, Height = 50 };

    [Fact]
    public void The_guest_area_is_the_entry_position_wherever_it_is_in_the_list()
    {
        var s = new Settings { MeetingRooms = [Area("会議室A", 0, 0), Area("ゲストエリア", 1000, 500)] };
        Assert.Equal(new Point(1050, 525), EntryPosition.Of(s));
    }

    [Fact]
    public void Without_a_guest_area_the_first_meeting_room_is_used()
    {
        var s = new Settings { MeetingRooms = [Area("会議室A", 200, 100), Area("会議室B", 1000, 500)] };
        Assert.Equal(new Point(250, 125), EntryPosition.Of(s));
    }

    [Fact]
    public void Without_meeting_rooms_the_centre_of_the_background_is_used()
    {
        var s = new Settings { MeetingRooms = [], Background = new BackgroundSettings { Width = 3000, Height = 1001 } };
        Assert.Equal(new Point(1500, 500.5), EntryPosition.Of(s));
    }

    [Fact]
    public void A_new_room_enters_at_its_guest_area_in_the_default_background()
    {
        var s = Settings.Defaults();
        Assert.Equal((4800, 2750), (s.Background.Width, s.Background.Height));
        // The office floor's meeting rooms (DefaultOffice.json), ゲストエリア first, all inside and none overlapping.
        var guest = s.MeetingRooms[0];
        Assert.Equal("ゲストエリア", guest.Name);
        Assert.Equal(["ゲストエリア", "会議室A", "会議室B", "会議室C", "会議室D"], s.MeetingRooms.Select(m => m.Name));
        Assert.All(s.MeetingRooms, m => Assert.True(LayoutRules.Inside(m, 4800, 2750)));
        Assert.All(s.MeetingRooms, a => Assert.All(s.MeetingRooms.Where(b => b != a), b =>
            Assert.False(a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height, $"{a.Name} overlaps {b.Name}")));
        Assert.Equal(new Point(guest.X + guest.Width / 2.0, guest.Y + guest.Height / 2.0), EntryPosition.Of(s));
    }
}

public sealed class ScaleRulesTests
{
    [Theory]
    [InlineData(1000, 2750, 0.4)]      // 36 % is clamped up to 40 %
    [InlineData(2750, 2750, 1.0)]
    [InlineData(5000, 5000, 1.5)]      // 182 % is clamped down to 150 %
    public void Fit_height_is_window_height_over_image_height_clamped_to_40_150(double windowHeight, double _, double expected)
    {
        Assert.Equal(expected, ScaleRules.Resolve(new ScaleRule(ScaleMode.FitHeight), 1, windowHeight, 4800, 2750), 6);
    }

    [Fact]
    public void Fit_width_uses_the_widths()
    {
        Assert.Equal(0.5, ScaleRules.Resolve(new ScaleRule(ScaleMode.FitWidth), 2400, 10, 4800, 2750), 6);
        Assert.Equal(0.4, ScaleRules.Resolve(new ScaleRule(ScaleMode.FitWidth), 100, 10, 4800, 2750), 6);
    }

    [Fact]
    public void Fixed_is_the_percent()
    {
        Assert.Equal(0.75, ScaleRules.Resolve(new ScaleRule(ScaleMode.Fixed, 75), 1, 1, 4800, 2750), 6);
    }

    [Theory]
    [InlineData(29, false)]
    [InlineData(30, true)]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public void A_fixed_minimum_is_30_to_100_percent(int percent, bool valid)
    {
        Assert.Equal(valid, ScaleRules.CheckMinimum(new ScaleRule(ScaleMode.Fixed, percent)) is null);
    }

    [Theory]
    [InlineData(29, false)]
    [InlineData(30, true)]
    [InlineData(150, true)]
    [InlineData(151, false)]
    public void A_fixed_entry_scale_is_30_to_150_percent(int percent, bool valid)
    {
        Assert.Equal(valid, ScaleRules.CheckEntry(new ScaleRule(ScaleMode.Fixed, percent)) is null);
    }

    [Fact]
    public void A_fit_mode_takes_no_percent_and_fixed_needs_one()
    {
        Assert.NotNull(ScaleRules.CheckMinimum(new ScaleRule(ScaleMode.FitHeight, 50)));
        Assert.NotNull(ScaleRules.CheckEntry(new ScaleRule(ScaleMode.Fixed)));
        Assert.Null(ScaleRules.CheckEntry(new ScaleRule(ScaleMode.FitWidth)));
    }

    [Fact]
    public void The_default_is_fit_height_for_both()
    {
        var s = new ScaleSettings();
        Assert.Equal(ScaleMode.FitHeight, s.Minimum.Mode);
        Assert.Equal(ScaleMode.FitHeight, s.Entry.Mode);
    }

    [Fact]
    public void The_entry_scale_never_goes_below_the_minimum()
    {
        var scale = new ScaleSettings { Minimum = new ScaleRule(ScaleMode.Fixed, 80), Entry = new ScaleRule(ScaleMode.Fixed, 40) };
        Assert.Equal((0.8, 0.8), ScaleRules.For(scale, 1000, 1000, 4800, 2750));
    }
}

public sealed class LayoutRulesTests
{
    [Fact]
    public void A_smaller_background_pulls_meeting_rooms_back_inside()
    {
        var rooms = new[] { new MeetingRoom { Id = "a", Name = "A", X = 4000, Y = 2000, Width = 700, Height = 600 } };
        var fitted = Assert.Single(LayoutRules.FitInto(rooms, 1000, 500));
        Assert.Equal((300, 0, 700, 500), (fitted.X, fitted.Y, fitted.Width, fitted.Height));
        Assert.True(LayoutRules.Inside(fitted, 1000, 500));
    }
}

public sealed class StyleRulesTests
{
    [Fact]
    public void Ordinary_name_and_area_styles_are_accepted()
    {
        Assert.Empty(StyleRules.Problems(new Dictionary<string, string>
        {
            ["color"] = "#ffffff", ["fontSize"] = "18px", ["fontWeight"] = "bold", ["fontFamily"] = "'メイリオ', 'Segoe Script', sans-serif",
            ["textShadow"] = "1px 1px 2px rgba(0, 0, 0, 0.5)",
        }));
        Assert.Empty(StyleRules.Problems(new Dictionary<string, string>
        {
            ["background"] = "rgba(0, 128, 255, 0.2)", ["borderColor"] = "navy", ["borderWidth"] = "2px", ["borderStyle"] = "dashed",
            ["borderRadius"] = "8px", ["opacity"] = "0.8", ["backgroundImage"] = "linear-gradient(90deg, #fff 0%, #eee 100%)",
        }));
    }

    [Theory]
    [InlineData("background", "url(javascript:alert(1))")]
    [InlineData("background", "url(https://evil.example/x.png)")]
    [InlineData("backgroundImage", "URL( 'x' )")]
    [InlineData("color", "expression(alert(1))")]
    [InlineData("width", "expression(alert(1))")]
    [InlineData("color", "red; background: url(x)")]
    [InlineData("color", "javascript:alert(1)")]
    [InlineData("fontFamily", "x</style><script>alert(1)</script>")]
    [InlineData("background", "u\\72l(x)")]
    [InlineData("behavior", "url(x.htc)")]
    [InlineData("position", "fixed")]
    [InlineData("fontSize", "18px !important")]
    [InlineData("background", "image-set(\"x.png\" 1x)")]
    [InlineData("background", "var(--x)")]
    [InlineData("color", "@import 'x'")]
    [InlineData("fontSize", "huge")]
    [InlineData("__proto__", "x")]
    public void Scripts_urls_and_unknown_properties_are_refused(string property, string value)
    {
        Assert.NotEmpty(StyleRules.Problems(new Dictionary<string, string> { [property] = value }));
    }
}
