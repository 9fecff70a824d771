using PciEmu.Core;
using PciEmu.Devices.Capabilities;

namespace PciEmu.Devices.Devices;

/// <summary>xio3130-downstream properties (PCIESlot/PCIEPort).</summary>
public sealed record Xio3130DownstreamOptions : PcieSlotOptions;

/// <summary>TI XIO3130 switch downstream port, xio3130-downstream 104c:8233 (hw/pci-bridge/xio3130_downstream.c).</summary>
public sealed class Xio3130Downstream(Xio3130DownstreamOptions options) : PcieSlotPort(options)
{
    public const int MsiOffset = 0x70;
    public const int SsvidOffset = 0x80;
    public const int ExpOffset = 0x90;
    public const int AerOffset = 0x100;
    public const byte Revision = 0x01;

    /// <summary>xio3130_downstream_realize never calls pci_config_set_interrupt_pin: pin 0 (recorded config_hex byte 0x3d).</summary>
    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.TexasInstruments, 0x8233, PciClass.BridgePci, Revision);

    public override string TypeName => "xio3130-downstream";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>xio3130_downstream_realize: no x-speed/x-width, so LNKCAP width and speed stay 0.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        InitExpressPortRegisters(b);
        MsiPos = QemuMsi.Add(b, MsiOffset, 1, is64: true, perVectorMask: false);
        QemuSsvid.Add(b, SsvidOffset, 0, 0);
        ExpCap = QemuPcieCap.Add(b, ExpOffset, PcieType.DownstreamPort, options.Port);
        var c = b.Config;
        c.SetLong(ExpCap + PcieCap.LnkCap, c.GetLong(ExpCap + PcieCap.LnkCap) & ~(PcieCap.LnkCapWidthMask | PcieCap.LnkCapSpeedMask));
        QemuPcieCap.FlrInit(b, ExpCap);
        QemuPcieCap.DevErrInit(b, ExpCap);
        SlotInit(b);
        QemuPcieCap.AriFwdInit(b, ExpCap);
        AerPos = AerCap.Add(b, AerOffset, options.AerLogMax);
    }

    /// <summary>xio3130_downstream_reset.</summary>
    protected override void OnReset()
    {
        PortReset();
        base.OnReset();
    }

    /// <summary>xio3130_downstream_write_config: bridge + slot, then pcie_cap_flr_write_config.</summary>
    protected override void OnConfigWritten(in ConfigWrite w)
    {
        base.OnConfigWritten(w);
        QemuPcieCap.FlrWriteConfig(Config, ExpCap, Reset);
    }
}

/// <summary>xio3130-upstream properties.</summary>
public sealed record Xio3130UpstreamOptions : PciDeviceOptions
{
    public byte Port { get; init; }
    public int AerLogMax { get; init; } = AerCap.DefaultLogMax;
}

/// <summary>TI XIO3130 switch upstream port, x3130-upstream 104c:8232 (hw/pci-bridge/xio3130_upstream.c).</summary>
public sealed class Xio3130Upstream(Xio3130UpstreamOptions options) : PciBridgeFunction(options)
{
    public const int MsiOffset = 0x70;
    public const int SsvidOffset = 0x80;
    public const int ExpOffset = 0x90;
    public const int AerOffset = 0x100;
    public const byte Revision = 0x02;

    /// <summary>xio3130_upstream_realize never calls pci_config_set_interrupt_pin: pin 0 (recorded config_hex byte 0x3d).</summary>
    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.TexasInstruments, 0x8232, PciClass.BridgePci, Revision);

    private int _exp;

    public override string TypeName => "x3130-upstream";
    public override DeviceIdentity Identity => DeviceIdentity;
    public override bool IsExpress => true;
    public override bool SecondaryIsExpress => true;

    /// <summary>xio3130_upstream_realize.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        InitExpressPortRegisters(b);
        QemuMsi.Add(b, MsiOffset, 1, is64: true, perVectorMask: false);
        QemuSsvid.Add(b, SsvidOffset, 0, 0);
        _exp = QemuPcieCap.Add(b, ExpOffset, PcieType.UpstreamPort, options.Port);
        QemuPcieCap.FlrInit(b, _exp);
        QemuPcieCap.DevErrInit(b, _exp);
        AerCap.Add(b, AerOffset, options.AerLogMax);
    }

    /// <summary>xio3130_upstream_reset.</summary>
    protected override void OnReset()
    {
        QemuPcieCap.DevErrReset(Config, _exp);
        base.OnReset();
    }

    /// <summary>xio3130_upstream_write_config: bridge, then pcie_cap_flr_write_config.</summary>
    protected override void OnConfigWritten(in ConfigWrite w)
    {
        base.OnConfigWritten(w);
        QemuPcieCap.FlrWriteConfig(Config, _exp, Reset);
    }
}
