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

/// <summary>A native hot-plug slot (a PCIe port's slot registers, or a pci-bridge's SHPC) as the platform drives it.</summary>
public interface INativeHotplugSlot
{
    /// <summary>pcie_cap_slot_plug_cb / shpc_device_plug_cb: presence detect, attention, notification.</summary>
    void Plugged(PciFunction child);

    /// <summary>pcie_cap_slot_enable_power: what ACPI hot-plug does to a root port's slot on hot-add (PCC = 0).</summary>
    void EnablePower();

    /// <summary>pcie_cap_slot_unplug_request_cb / shpc_device_unplug_request_cb: attention button press.</summary>
    void UnplugRequested(PciFunction child);
}

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
    PciFunction Create(string driver, IReadOnlyDictionary<string, string> properties, PciDeviceOptions options);

    /// <summary>The native hot-plug slot below a bridge, if the model has one.</summary>
    INativeHotplugSlot? GetHotplugSlot(PciBridgeFunction bridge) => null;

    /// <summary>The ECAM window source of a host bridge (q35 MCH), if it is one.</summary>
    IEcamWindowSource? GetEcamWindowSource(PciFunction hostBridge) => null;

    /// <summary>Whether a root port / bridge was created with hot-plug enabled (pcie-root-port hotplug=off).</summary>
    bool IsSlotHotplugCapable(PciBridgeFunction bridge) => true;
}
