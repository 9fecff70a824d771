using PciEmu.Core;
using PciEmu.Devices.Capabilities;

namespace PciEmu.Devices.Devices;

/// <summary>e1000e options.</summary>
public sealed record E1000eOptions : RomDeviceOptions
{
    /// <summary>The bus is PCIe: on a PCIe root bus the capability says RC-integrated endpoint.</summary>
    public bool OnExpressBus { get; init; }
    public bool OnRootBus { get; init; } = true;
    /// <summary>mac; the device serial number is derived from it (e1000x_gen_dsn).</summary>
    public IReadOnlyList<byte> Mac { get; init; } = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
}

/// <summary>Intel 82574L, e1000e 8086:10d3 (hw/net/e1000e.c).</summary>
public sealed class E1000e(E1000eOptions options) : PciFunction(options)
{
    public const ulong MmioSize = 0x20000;
    public const ulong FlashSize = 0x20000;
    public const ulong IoSize = 0x20;
    public const ulong MsixSize = 0x4000;
    public const int MsixBar = 3;
    public const int MsixVectors = 5;
    public const uint MsixPbaOffset = 0x2000;
    public const int MsixOffset = 0xa0;
    public const int PmOffset = 0xc8;
    public const int MsiOffset = 0xd0;
    public const int ExpOffset = 0xe0;
    public const int AerOffset = 0x100;
    public const int DsnOffset = 0x148;
    public const int DsnSize = 0x0c;
    public const int DsnSerial = 4;
    public const int PcieV1Size = 0x14;
    public const ushort PmcVersion11Dsi = 0x0022;
    public const ushort PmCtrlWritable = 0x1f03;   // state | PME enable | data select
    public const ushort PmCtrlPmeStatus = 0x8000;
    public const byte RealizeCacheLineSize = 0x10;
    public const ulong DefaultRomSize = 0x40000;
    private const ulong DsnFiller = 0xffff;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.Intel, 0x10d3, PciClass.NetworkEthernet)
    {
        InterruptPin = 1, SubsystemVendorId = PciVendor.Intel, SubsystemId = 0,
    };

    public override string TypeName => "e1000e";
    public override DeviceIdentity Identity => DeviceIdentity;
    public override bool IsExpress => true;

    /// <summary>e1000x_gen_dsn.</summary>
    public static ulong SerialNumber(IReadOnlyList<byte> mac) =>
        mac[5] | ((ulong)mac[4] << 8) | ((ulong)mac[3] << 16) | (DsnFiller << 24) | ((ulong)mac[2] << 40) | ((ulong)mac[1] << 48) | ((ulong)mac[0] << 56);

    /// <summary>e1000e_pci_realize.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        b.Init(CommonHeader.CacheLineSize, RealizeCacheLineSize);
        b.Bar(new BarDefinition(0, BarKind.Memory32, MmioSize));
        b.Bar(new BarDefinition(1, BarKind.Memory32, FlashSize));
        b.Bar(new BarDefinition(2, BarKind.Io, IoSize));
        b.Bar(new BarDefinition(MsixBar, BarKind.Memory32, MsixSize));
        // e1000e_init_msix runs before pcie_endpoint_cap_v1_init (each capability goes to the head of the list):
        // the recorded chain is PM c8 → MSI d0 → Express e0 → MSI-X a0.
        QemuMsix.Add(b, MsixOffset, MsixVectors, MsixBar, 0, MsixBar, MsixPbaOffset);
        // pcie_endpoint_cap_v1_init: an RC-integrated endpoint on a PCIe root bus.
        var type = options.OnExpressBus && options.OnRootBus ? PcieType.RcIntegratedEndpoint : PcieType.Endpoint;
        var exp = b.Capabilities.Add(CapabilityId.Express, ExpOffset, PcieV1Size);
        b.Config.SetWord(exp + PcieCap.Flags, (ushort)(((int)type << PcieCap.FlagsTypeShift) | 1));
        // pcie_cap_v1_fill: QEMU_PCIE_EXT_TAG (x-pcie-ext-tag) adds Extended Tags here too (recordings/arm64/rp3-acpihp).
        b.Config.SetLong(exp + PcieCap.DevCap, b.Options is { PcieExtTag: true } ? PcieCap.DevCapRber | PcieCap.DevCapExtTag : PcieCap.DevCapRber);
        var x1 = PcieCap.LinkBits(PcieLinkWidth.X1, PcieLinkSpeed.Speed2_5);
        b.Config.SetLong(exp + PcieCap.LnkCap, PcieCap.LnkCapAspmL0s | x1);
        b.Config.SetWord(exp + PcieCap.LnkSta, (ushort)x1);
        QemuMsi.Add(b, MsiOffset, 1, is64: true, perVectorMask: false);
        var pm = b.Capabilities.Add(CapabilityId.PowerManagement, PmOffset, PmCap.Size);
        b.Config.SetWord(pm + PmCap.Pmc, PmcVersion11Dsi);
        b.Rw(pm + PmCap.Control, 2, PmCtrlWritable);
        b.Rw1c(pm + PmCap.Control, 2, PmCtrlPmeStatus);
        AerCap.Add(b, AerOffset, logMax: 0);
        b.Capabilities.AddExtended(ExtCapabilityId.Dsn, 1, DsnOffset, DsnSize);
        b.Config.SetQuad(DsnOffset + DsnSerial, SerialNumber(options.Mac));
        var rom = OptionRom.EffectiveSize(options, DefaultRomSize);
        if (rom != 0) b.Rom(rom);
    }
}
