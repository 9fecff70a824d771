using PciEmu.Core;

namespace PciEmu.Devices.Capabilities;

/// <summary>QEMU's pci_bridge_ssvid_init over the SSVID registers declared in the core (<see cref="SsvidCap"/>), all read-only.</summary>
public static class QemuSsvid
{
    /// <summary>pci_bridge_ssvid_init.</summary>
    public static int Add(ConfigSpaceBuilder b, int offset, ushort svid, ushort ssid)
    {
        var pos = b.Capabilities.Add(CapabilityId.SubsystemVendor, offset, SsvidCap.Size);
        b.Config.SetWord(pos + SsvidCap.SubsystemVendor, svid);
        b.Config.SetWord(pos + SsvidCap.SubsystemId, ssid);
        return pos;
    }
}

/// <summary>Slot identification capability (PCI_CAP_ID_SLOTID), 4 bytes.</summary>
public static class SlotIdCap
{
    public const int Size = 4;
    public const int ExpansionSlot = 2;
    public const int Chassis = 3;

    /// <summary>PCI_SID_ESR_FIC: first in chassis, 0 expansion slots.</summary>
    public const byte FirstInChassis = 0x20;

    /// <summary>slotid_cap_init: the chassis number stays writable and is not reset.</summary>
    public static int Add(ConfigSpaceBuilder b, int offset, byte chassis)
    {
        var pos = b.Capabilities.Add(CapabilityId.SlotId, offset, Size);
        b.Config.SetByte(pos + ExpansionSlot, FirstInChassis);
        b.Config.SetByte(pos + Chassis, chassis);
        b.Rw(pos + Chassis, 1, 0xff);
        return pos;
    }
}

/// <summary>PCI power management capability (PCI_CAP_ID_PM), 8 bytes.</summary>
public static class PmCap
{
    public const int Size = 8;
    public const int Pmc = 2;
    public const int Control = 4;

    /// <summary>PMC value for "complies with PCI PM 1.2".</summary>
    public const ushort PmcVersion12 = 0x0003;

    /// <summary>PCI_PM_CTRL_STATE_MASK.</summary>
    public const ushort ControlStateMask = 0x0003;

    /// <summary>pci_add_capability(PCI_CAP_ID_PM) + PMC, as pcie_pci_bridge_realize and virtio_pci_realize do.</summary>
    public static int Add(ConfigSpaceBuilder b, int offset, ushort pmc, bool stateWritable)
    {
        var pos = b.Capabilities.Add(CapabilityId.PowerManagement, offset, Size);
        b.Config.SetWord(pos + Pmc, pmc);
        if (stateWritable) b.Rw(pos + Control, 2, ControlStateMask);
        return pos;
    }
}
