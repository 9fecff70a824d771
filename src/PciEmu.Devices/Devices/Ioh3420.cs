using PciEmu.Core;
using PciEmu.Devices.Capabilities;

namespace PciEmu.Devices.Devices;

/// <summary>ioh3420 properties (PCIESlot/PCIEPort + rp_props).</summary>
public sealed record Ioh3420Options : PcieSlotOptions;

/// <summary>Intel X58 root port, ioh3420 8086:3420 (hw/pci-bridge/ioh3420.c): MSI instead of MSI-X, 2.5 GT/s x1.</summary>
public sealed class Ioh3420(Ioh3420Options options) : PcieSlotPort(options)
{
    public const int SsvidOffset = 0x40;
    public const int MsiOffset = 0x60;
    public const int MsiVectors = 2;
    public const int ExpOffset = 0x90;
    public const int AerOffset = 0x100;
    public const byte Revision = 0x02;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.Intel, 0x3420, PciClass.BridgePci, Revision) { InterruptPin = 1 };

    public override string TypeName => "ioh3420";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>rp_realize with ioh3420_interrupts_init.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        InitExpressPortRegisters(b);
        QemuSsvid.Add(b, SsvidOffset, PciVendor.Intel, 0);
        MsiPos = QemuMsi.Add(b, MsiOffset, MsiVectors, is64: false, perVectorMask: true);
        ExpCap = QemuPcieCap.Add(b, ExpOffset, PcieType.RootPort, options.Port);
        QemuPcieCap.FillSlotLink(b.Config, ExpCap, PcieLinkWidth.X1, PcieLinkSpeed.Speed2_5);
        QemuPcieCap.AriFwdInit(b, ExpCap);
        QemuPcieCap.DevErrInit(b, ExpCap);
        SlotInit(b);
        QemuPcieCap.RootInit(b, ExpCap);
        AerPos = AerCap.Add(b, AerOffset, options.AerLogMax);
        AerCap.RootInit(b, AerPos);
    }

    /// <summary>
    /// ioh3420_aer_vector: message 1 when two MSI vectors are allocated, else 0. QEMU abort()s when a guest leaves
    /// QSIZE above 2 vectors with MSI disabled; PciEmu keeps running and reports 0 (the one deliberate divergence).
    /// </summary>
    protected override int? AerVector => QemuMsi.VectorsAllocated(Config, MsiPos) == MsiVectors ? 1 : 0;

    /// <summary>rp_reset_hold.</summary>
    protected override void OnReset()
    {
        AerVectorUpdate();
        QemuPcieCap.RootReset(Config, ExpCap);
        PortReset();
        AerCap.RootReset(Config, AerPos);
        base.OnReset();
        DisableBaseLimit();
    }
}
