using PciEmu.Core;
using PciEmu.Devices.Capabilities;

namespace PciEmu.Devices.Devices;

/// <summary>pci-bridge properties (pci_bridge_dev_properties).</summary>
public sealed record PciBridgeDevOptions : PciDeviceOptions
{
    /// <summary>chassis_nr: required, 0 fails realize.</summary>
    public byte ChassisNr { get; init; }
    /// <summary>msi: auto/on = MSI capability when SHPC is present; off = none.</summary>
    public bool? Msi { get; init; }
    public bool Shpc { get; init; } = true;
    public ResourceReserve Reserve { get; init; } = new();
}

/// <summary>QEMU's PCI-PCI bridge, pci-bridge 1b36:0001 (hw/pci-bridge/pci_bridge_dev.c).</summary>
public sealed class PciBridgeDev(PciBridgeDevOptions options) : ShpcBridge(options)
{
    public const int MsiVectors = 1;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.RedHat, 0x0001, PciClass.BridgePci);

    public override string TypeName => "pci-bridge";
    public override DeviceIdentity Identity => options.Shpc ? DeviceIdentity with { InterruptPin = 1 } : DeviceIdentity;

    /// <summary>pci_bridge_dev_realize (SHPC → Slot ID → MSI → BAR → reserve cap).</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        if (options.ChassisNr == 0)
            throw new DeviceRealizeException("Bridge chassis not specified. Each bridge is required to be assigned a unique chassis id > 0.");
        if (options.Shpc) AddShpc(b);
        SlotIdCap.Add(b, 0, options.ChassisNr);
        if (options.Shpc && options.Msi != false) MsiPos = QemuMsi.Add(b, 0, MsiVectors, is64: true, perVectorMask: true);
        if (options.Shpc) RegisterShpcBar(b);
        RedHatResourceReserveCap.Add(b, 0, options.Reserve);
    }

    /// <summary>qdev_pci_bridge_dev_reset.</summary>
    protected override void OnReset()
    {
        base.OnReset();
        ResetShpc();
    }
}

/// <summary>pcie-pci-bridge properties.</summary>
public sealed record PciePciBridgeOptions : PciDeviceOptions
{
    public bool? Msi { get; init; }
}

/// <summary>PCIe-to-PCI bridge, pcie-pci-bridge 1b36:000e (hw/pci-bridge/pcie_pci_bridge.c).</summary>
public sealed class PciePciBridge(PciePciBridgeOptions options) : ShpcBridge(options)
{
    public const int AerOffset = 0x100;
    /// <summary>Not a PCIEPort: no aer_log_max property, so no multi-header recording.</summary>
    public const int NoAerLog = 0;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.RedHat, 0x000e, PciClass.BridgePci) { InterruptPin = 1 };

    private int _exp;

    public override string TypeName => "pcie-pci-bridge";
    public override DeviceIdentity Identity => DeviceIdentity;
    public override bool IsExpress => true;

    /// <summary>pcie_pci_bridge_realize (SHPC → PCIe → PM → AER → MSI → BAR).</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        AddShpc(b);
        _exp = QemuPcieCap.Add(b, 0, PcieType.PcieToPciBridge, 0);
        PmCap.Add(b, 0, PmCap.PmcVersion12, stateWritable: false);
        QemuPcieCap.AriFwdInit(b, _exp);
        QemuPcieCap.DevErrInit(b, _exp);
        AerCap.Add(b, AerOffset, NoAerLog);
        if (options.Msi != false) MsiPos = QemuMsi.Add(b, 0, 1, is64: true, perVectorMask: true);
        RegisterShpcBar(b);
    }

    /// <summary>pcie_pci_bridge_reset.</summary>
    protected override void OnReset()
    {
        base.OnReset();
        ResetShpc();
    }
}
