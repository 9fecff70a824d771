using PciEmu.Core;
using PciEmu.Devices.Capabilities;

namespace PciEmu.Devices.Devices;

/// <summary>pcie-root-port properties (gen_rp_props, rp_props, PCIESlot/PCIEPort props).</summary>
public sealed record PcieRootPortOptions : PcieSlotOptions
{
    public bool DisableAcs { get; init; }
    public PcieLinkSpeed Speed { get; init; } = PcieLinkSpeed.Speed16;
    public PcieLinkWidth Width { get; init; } = PcieLinkWidth.X32;
    public ResourceReserve Reserve { get; init; } = new();
}

/// <summary>QEMU's generic PCIe root port, pcie-root-port 1b36:000c (hw/pci-bridge/gen_pcie_root_port.c).</summary>
public sealed class PcieRootPort(PcieRootPortOptions options) : PcieSlotPort(options)
{
    public const int SsvidOffset = 0x40;
    public const int ExpOffset = 0x54;
    public const int AerOffset = 0x100;
    public const int AcsOffset = AerOffset + AerCap.Size;
    public const int MsixVectors = 1;
    public const int MsixBar = 0;

    /// <summary>GEN_PCIE_ROOT_DEFAULT_IO_RANGE: the io-reserve default when ACPI takes over hot-plug (pc-q35-6.1).</summary>
    public const ulong DefaultIoRangeWithoutNativeHotplug = 4096;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.RedHat, 0x000c, PciClass.BridgePci) { InterruptPin = 1 };

    public PcieRootPortOptions RootPortOptions => options;
    public override string TypeName => "pcie-root-port";
    public override DeviceIdentity Identity => DeviceIdentity;
    public ResourceReserve EffectiveReserve { get; private set; } = new();

    /// <summary>rp_realize + gen_rp_realize.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        var o = options;
        var reserve = o.Reserve;
        if (reserve.Io is null && o.Hotplug && !o.NativeHotplug) reserve = reserve with { Io = DefaultIoRangeWithoutNativeHotplug };
        RedHatResourceReserveCap.Validate(reserve);
        EffectiveReserve = reserve;
        InitExpressPortRegisters(b);
        QemuSsvid.Add(b, SsvidOffset, PciVendor.RedHat, 0);
        MsixPos = QemuMsix.AddExclusiveBar(b, 0, MsixVectors, MsixBar);
        ExpCap = QemuPcieCap.Add(b, ExpOffset, PcieType.RootPort, o.Port);
        QemuPcieCap.FillSlotLink(b.Config, ExpCap, o.Width, o.Speed);
        QemuPcieCap.AriFwdInit(b, ExpCap);
        QemuPcieCap.DevErrInit(b, ExpCap);
        SlotInit(b);
        QemuPcieCap.RootInit(b, ExpCap);
        AerPos = AerCap.Add(b, AerOffset, o.AerLogMax);
        AerCap.RootInit(b, AerPos);
        if (!o.DisableAcs) AcsPos = AcsCap.Add(b, AcsOffset);
        RedHatResourceReserveCap.Add(b, 0, reserve);
        if (reserve.Io == 0)
        {
            b.ClearWritable(CommonHeader.Command, (uint)CommandBits.Io);
            b.WriteMask(Type1Header.IoBase, 0);
            b.WriteMask(Type1Header.IoLimit, 0);
        }
    }

    /// <summary>gen_rp_aer_vector: always 0.</summary>
    protected override int? AerVector => 0;

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
