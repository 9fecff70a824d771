using PciEmu.Core;

namespace PciEmu.Fabric;

/// <summary>
/// A counter shared by every bus of one hierarchy that changes whenever config routing could change: a function
/// plugged or unplugged, or a write (config cycle or device-side Set*) to a bridge's bus numbers, windows or bridge
/// control. <see cref="PciHierarchy"/> keeps its bus-number cache only while the value stays the same.
/// </summary>
public sealed class RoutingEpoch
{
    /// <summary>The bytes of a type-1 header that <see cref="PciHierarchy.FindBus"/> depends on, from PRIMARY_BUS
    /// up to and including BRIDGE_CONTROL (bus numbers and the secondary-bus-reset bit).</summary>
    public static readonly int WatchStart = Type1Header.PrimaryBus.Offset;

    public static readonly int WatchLength = Type1Header.BridgeControl.Offset + sizeof(ushort) - WatchStart;

    private readonly Action _bump;

    public RoutingEpoch()
    {
        _bump = Bump;
    }

    public long Value { get; private set; }

    public void Bump() => Value++;

    /// <summary>Makes the bridge's config space bump this epoch when its routing bytes change.</summary>
    internal void Watch(PciBridgeFunction bridge) => bridge.Config.Watch(WatchStart, WatchLength, _bump);
}
