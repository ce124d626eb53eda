using Zawaroom.Live;
using Zawaroom.Realtime.InProcess;

namespace Zawaroom.Tests.Live;

/// <summary>
/// Both transports go through <see cref="RoomCalls.Methods"/>; the in-process hub's methods exist only
/// so SignalR can bind arguments. If they drift apart, a client would see a method on one transport
/// and not on the other, or bind a different argument.
/// </summary>
public sealed class HubMethodTableTests
{
    [Fact]
    public void Every_method_of_the_table_is_a_hub_method_taking_its_argument_type_and_the_hub_has_no_other()
    {
        var hub = typeof(RoomHub).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not ("OnConnectedAsync" or "OnDisconnectedAsync"))
            .ToDictionary(m => m.Name, m => m.GetParameters().Select(p => p.ParameterType).ToArray());
        Assert.Equal(RoomCalls.Methods.Keys.Order(), hub.Keys.Order());
        foreach (var (name, method) in RoomCalls.Methods)
            Assert.Equal([method.Argument], hub[name]);
    }

    [Fact]
    public void Keeping_alive_and_leaving_are_never_throttled_and_the_l2_actions_are()
    {
        Assert.Equal(ThrottleClass.None, RoomCalls.Methods["Heartbeat"].Throttle);
        Assert.Equal(ThrottleClass.None, RoomCalls.Methods["Leave"].Throttle);
        Assert.Equal(ThrottleClass.Moves, RoomCalls.Methods["Move"].Throttle);
        foreach (var l2 in new[] { "SetStatus", "Knock", "Focus", "Message", "Board", "Mute", "RingBell", "ShareScreen", "VoiceArea", "Resync" })
            Assert.Equal(ThrottleClass.Commands, RoomCalls.Methods[l2].Throttle);
        Assert.Equal(ThrottleClass.Signals, RoomCalls.Methods["Signal"].Throttle);
    }
}
