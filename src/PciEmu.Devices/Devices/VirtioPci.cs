using PciEmu.Core;
using PciEmu.Devices.Capabilities;

namespace PciEmu.Devices.Devices;

/// <summary>What a virtio device type contributes to its PCI proxy (virtio-*-pci class data).</summary>
public sealed record VirtioDeviceKind(string TypeName, ushort VirtioId, ushort LegacyDeviceId, uint ClassCode, uint DefaultVectors, uint DeviceConfigLength, ulong DefaultRomSize)
{
    /// <summary>virtio-net-pci: 2 * queues + 2 = 4 vectors since 6.0 (virtio_net_pci_realize), 8-byte config
    /// (mac + status), efi-virtio.rom.</summary>
    public static readonly VirtioDeviceKind Net = new("virtio-net-pci", 1, 0x1000, PciClass.NetworkEthernet, 4, 8, 0x40000);
    public static readonly VirtioDeviceKind Rng = new("virtio-rng-pci", 4, 0x1005, PciClass.Others, 2, 0, 0);
}

/// <summary>virtio-pci proxy properties.</summary>
public sealed record VirtioPciOptions : RomDeviceOptions
{
    /// <summary>disable-legacy: null = auto (legacy iff not behind a PCIe port).</summary>
    public bool? DisableLegacy { get; init; }
    public bool DisableModern { get; init; }
    public uint? Vectors { get; init; }
    /// <summary>The bus is PCIe and not a root bus (pcie_port in virtio_pci_realize): the device becomes PCIe.</summary>
    public bool BehindPciePort { get; init; }
}

/// <summary>A virtio device on PCI (hw/virtio/virtio-pci.c): transitional on a PCI/root bus, modern behind a port.</summary>
public sealed class VirtioPci(VirtioDeviceKind kind, VirtioPciOptions options) : PciFunction(options)
{
    public const int LegacyIoBar = 0;
    public const int MsixBar = 1;
    public const int ModernMemBar = 4;
    public const uint RegionSize = 0x1000;
    public const uint CommonOffset = 0;
    public const uint IsrOffset = 0x1000;
    public const uint DeviceOffset = 0x2000;
    public const uint NotifyOffset = 0x3000;
    public const uint NotifyOffMultiplier = 4;
    public const ulong ModernBarSize = 0x4000;
    public const ushort ModernDeviceIdBase = 0x1040;
    public const byte ModernRevision = 1;
    /// <summary>VIRTIO_PCI_CONFIG_OFF with MSI-X (20 without).</summary>
    public const uint LegacyHeaderWithMsix = 24;
    public const uint LegacyHeader = 20;

    private int _exp;
    private int _pm;

    public VirtioDeviceKind Kind => kind;
    public bool Legacy => !(options.DisableLegacy ?? options.BehindPciePort);
    public bool Modern => !options.DisableModern;
    public uint Vectors => options.Vectors ?? kind.DefaultVectors;
    public override string TypeName => kind.TypeName;
    public override bool IsExpress => options.BehindPciePort;

    /// <summary>virtio_pci_device_plugged: the legacy (PCI_DEVICE_ID_VIRTIO_*) ID + subsystem = virtio ID, or 0x1040+ID rev 1.</summary>
    public override DeviceIdentity Identity => Legacy
        ? new DeviceIdentity(PciVendor.RedHatQumranet, kind.LegacyDeviceId, kind.ClassCode)
        {
            InterruptPin = 1, SubsystemVendorId = PciVendor.RedHatQumranet, SubsystemId = kind.VirtioId,
        }
        : new DeviceIdentity(PciVendor.RedHatQumranet, (ushort)(ModernDeviceIdBase + kind.VirtioId), kind.ClassCode, ModernRevision) { InterruptPin = 1 };

    /// <summary>virtio_pci_realize + virtio_pci_device_plugged.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        if (!Legacy && !Modern) throw new DeviceRealizeException("device cannot work as neither modern nor legacy mode is enabled");
        if (IsExpress)
        {
            _exp = QemuPcieCap.AddEndpoint(b, 0);
            _pm = PmCap.Add(b, 0, PmCap.PmcVersion12, stateWritable: true);
            QemuPcieCap.DevErrInit(b, _exp);
            QemuPcieCap.LnkCtlInit(b, _exp);
            QemuPcieCap.FlrInit(b, _exp);
        }
        if (Modern)
        {
            VirtioCap.Add(b, VirtioCfgType.Common, ModernMemBar, CommonOffset, RegionSize);
            VirtioCap.Add(b, VirtioCfgType.Isr, ModernMemBar, IsrOffset, RegionSize);
            VirtioCap.Add(b, VirtioCfgType.Device, ModernMemBar, DeviceOffset, RegionSize);
            VirtioCap.Add(b, VirtioCfgType.Notify, ModernMemBar, NotifyOffset, RegionSize, NotifyOffMultiplier);
            b.Bar(new BarDefinition(ModernMemBar, BarKind.Memory64, ModernBarSize, Prefetchable: true));
            VirtioCap.AddPciCfg(b);
        }
        if (Vectors != 0) QemuMsix.AddExclusiveBar(b, 0, (int)Vectors, MsixBar);
        if (Legacy)
        {
            var size = (Vectors != 0 ? LegacyHeaderWithMsix : LegacyHeader) + kind.DeviceConfigLength;
            b.Bar(new BarDefinition(LegacyIoBar, BarKind.Io, System.Numerics.BitOperations.RoundUpToPowerOf2(size)));
        }
        var rom = OptionRom.EffectiveSize(options, kind.DefaultRomSize);
        if (rom != 0) b.Rom(rom);
    }

    /// <summary>virtio_write_config: PCIe functions handle FLR.</summary>
    protected override void OnConfigWritten(in ConfigWrite w)
    {
        if (IsExpress) QemuPcieCap.FlrWriteConfig(Config, _exp, Reset);
    }

    /// <summary>virtio_pci_reset (config-space part).</summary>
    protected override void OnReset()
    {
        if (!IsExpress) return;
        QemuPcieCap.DevErrReset(Config, _exp);
        var lnkctl = Config.GetWord(_exp + PcieCap.LnkCtl) & ~(PcieCap.LnkCtlCcc | PcieCap.LnkCtlEs);
        Config.SetWord(_exp + PcieCap.LnkCtl, (ushort)lnkctl);
        Config.SetWord(_pm + PmCap.Control, 0);
    }
}
