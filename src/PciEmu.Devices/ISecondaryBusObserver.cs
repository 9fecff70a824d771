using PciEmu.Core;

namespace PciEmu.Devices;

/// <summary>
/// A bridge whose registers depend on what sits on its secondary bus (SHPC slot status on reset). The platform
/// calls it after plugging or removing a child on that bus.
/// </summary>
public interface ISecondaryBusObserver
{
    void ChildPlugged(int devFn, PciFunction child, bool hotplugged);
    void ChildRemoved(int devFn);
}
