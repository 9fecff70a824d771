using PciEmu.Core;
using PciEmu.Devices.Capabilities;

namespace PciEmu.Devices.Devices;

/// <summary>A conventional-secondary bridge that may carry an SHPC controller (pci-bridge, pcie-pci-bridge).</summary>
public abstract class ShpcBridge(PciDeviceOptions options) : PciBridgeFunction(options), ISecondaryBusObserver
{
    public const int ShpcBar = 0;
    private const int DevFnSlotShift = 3;

    private readonly SortedDictionary<int, PciFunction> _children = [];

    /// <summary>The SHPC controller, or null when the bridge has none (pci-bridge shpc=off).</summary>
    public ShpcController? Shpc { get; protected set; }
    protected int MsiPos { get; set; }
    public sealed override bool SecondaryIsExpress => false;

    public void ChildPlugged(int devFn, PciFunction child, bool hotplugged) => _children[devFn] = child;
    public void ChildRemoved(int devFn) => _children.Remove(devFn);

    /// <summary>shpc_init + the 64-bit SHPC BAR registration both bridges do.</summary>
    protected void AddShpc(ConfigSpaceBuilder b)
    {
        Shpc = new ShpcController();
        Shpc.AddTo(b, 0);
    }

    protected void RegisterShpcBar(ConfigSpaceBuilder b) =>
        b.Bar(new BarDefinition(ShpcBar, BarKind.Memory64, ShpcController.BarSize));

    /// <summary>shpc_reset: slot i is occupied when function 0 of PCI slot i is present.</summary>
    protected void ResetShpc() => Shpc?.Reset(Config, slot => _children.ContainsKey(slot << DevFnSlotShift));

    /// <summary>pci_bridge_dev_write_config / pcie_pci_bridge_write_config (MSI needs no side effect here).</summary>
    protected override void OnConfigWritten(in ConfigWrite w)
    {
        base.OnConfigWritten(w);
        Shpc?.OnConfigWritten(Config, w);
    }
}
