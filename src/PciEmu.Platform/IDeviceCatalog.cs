using PciEmu.Core;

namespace PciEmu.Platform;

/// <summary>What the platform needs to know about a device model before creating it (qdev class facts).</summary>
public sealed record DeviceModelInfo
{
    /// <summary>QEMU's type name, the -device driver (e.g. "pcie-root-port", "ICH9-LPC").</summary>
    public required string Driver { get; init; }

    /// <summary>The model is a PCI-to-PCI bridge: it gets a secondary bus named after its id.</summary>
    public bool IsBridge { get; init; }

    /// <summary>Only goes on a PCI Express bus (root ports, switch ports).</summary>
    public bool IsExpressOnly { get; init; }

    /// <summary>dc->user_creatable: may be named in -device.</summary>
    public bool UserCreatable { get; init; } = true;

    /// <summary>dc->hotpluggable: may be added with device_add.</summary>
    public bool Hotpluggable { get; init; } = true;

    /// <summary>The device's own qdev properties (the common PCI ones are known to the platform).</summary>
    public IReadOnlyCollection<string> Properties { get; init; } = [];
}

/// <summary>
/// The slot below a bridge as the platform drives it: a PCIe port's slot registers or a pci-bridge's SHPC. The
/// platform reports every child it plugs on the secondary bus (cold or hot, any mechanism) and asks for unplugs;
/// the slot raises <see cref="ChildUnplugged"/> when it detached a child (e.g. the guest powered the slot off).
/// </summary>
public interface IBridgeSlot
{
    /// <summary>The slot accepts hot-plug (SLTCAP.HPC; an SHPC controller is present).</summary>
    bool HotplugCapable { get; }

    /// <summary>Set by the platform when ACPI PCI hot-plug owns the secondary bus (no PDS on cold plug; power on hot-add).</summary>
    bool AcpiManaged { get; set; }

    /// <summary>pcie_cap_slot_plug_cb / shpc_device_plug_cb (after the function is on the bus); throws QemuException to refuse.</summary>
    void ChildPlugged(int devFn, PciFunction child, bool hotplugged);

    /// <summary>pcie_cap_slot_unplug_request_cb / shpc_device_unplug_request_cb: attention button, or immediate
    /// removal; throws QemuException to refuse.</summary>
    void UnplugRequested(int devFn);

    /// <summary>The platform removed a child itself (ACPI eject).</summary>
    void ChildRemoved(int devFn);

    /// <summary>The slot detached a child; the platform takes it off the bus.</summary>
    event Action<int>? ChildUnplugged;

    /// <summary>A hot-plug interrupt the slot raised (hotplug_event_notify, shpc_interrupt_update); none by default.</summary>
    event Action<HotplugInterrupt>? Interrupt
    {
        add { }
        remove { }
    }
}

/// <summary>Where a device is about to be plugged (virtio picks transitional vs modern-only from it).</summary>
public readonly record struct PlugTarget(bool BusIsExpress, bool BusIsRoot);

/// <summary>Where the q35 MCH reports its PCIEXBAR (mch_update_pciexbar → pcie_host_mmcfg_update).</summary>
public interface IEcamWindowSource
{
    /// <summary>Raised after a write or reset changed the window: enabled, base, size.</summary>
    event Action<bool, ulong, ulong>? EcamWindowChanged;
}

/// <summary>
/// The device models the platform can instantiate: the seam between the platform and PciEmu.Devices'
/// DeviceCatalog (an adapter maps one to the other), and what tests substitute.
/// </summary>
public interface IDeviceCatalog
{
    /// <summary>The model for a driver name, or null when QEMU would say it is not a valid device model name.</summary>
    DeviceModelInfo? Find(string driver);

    /// <summary>
    /// Creates and configures (not realizes) a function. <paramref name="properties"/> holds the device's own
    /// properties (globals first, then -device values); value errors are thrown as <see cref="QemuException"/>.
    /// </summary>
    PciFunction Create(string driver, IReadOnlyDictionary<string, string> properties, PciDeviceOptions options, PlugTarget target);

    /// <summary>The machine's fixed chipset functions (devfn, function), or null to create them one by one by name.</summary>
    IReadOnlyList<(int DevFn, PciFunction Function)>? CreateChipset(MachineKind kind, ulong ramSize) => null;

    /// <summary>The slot below a bridge, if the model has one.</summary>
    IBridgeSlot? GetSlot(PciBridgeFunction bridge) => null;

    /// <summary>fw_cfg files a realized device makes the machine publish (IGD: etc/igd-opregion, etc/igd-bdsm-size).</summary>
    IEnumerable<(string Name, ReadOnlyMemory<byte> Data)> FwCfgFiles(PciFunction function) => [];

    /// <summary>The ECAM window source of a host bridge (q35 MCH), if it is one.</summary>
    IEcamWindowSource? GetEcamWindowSource(PciFunction hostBridge) => null;
}
