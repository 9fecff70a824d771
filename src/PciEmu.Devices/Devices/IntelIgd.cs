using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>The assigned IGD's options: vfio-pci x-* properties plus what the (absent) host would supply.</summary>
public sealed record IgdOptions : RomDeviceOptions
{
    /// <summary>x-pci-device-id: the IGD device ID (decides the generation).</summary>
    public ushort DeviceId { get; init; } = IntelIgd.DefaultDeviceId;
    /// <summary>x-igd-opregion: expose the OpRegion even outside legacy mode.</summary>
    public bool OpRegion { get; init; }
    /// <summary>x-igd-gms: data stolen memory in 32 MiB units (0..0x10 in 7.2).</summary>
    public uint Gms { get; init; }
    /// <summary>The host GMCH value (PciEmu stand-in for the host register; "x-igd-gmch").</summary>
    public uint HostGmch { get; init; }
    /// <summary>Legacy mode preconditions hold (00:02.0 on i440fx, VGA ROM, cold-plugged): the platform decides.</summary>
    public bool LegacyMode { get; init; } = true;
    /// <summary>The host OpRegion contents; null = a synthetic 8 KiB OpRegion with the Intel signature.</summary>
    public ReadOnlyMemory<byte>? OpRegionData { get; init; }
}

/// <summary>What the platform must publish through fw_cfg for an IGD (null = file not published).</summary>
public sealed record IgdFwCfg(ReadOnlyMemory<byte>? OpRegion, ulong? BdsmSize)
{
    public const string OpRegionFile = "etc/igd-opregion";
    public const string BdsmSizeFile = "etc/igd-bdsm-size";
}

/// <summary>
/// Intel IGD assigned with vfio-pci (the only vfio-pci function PciEmu models; there is no host, so the host
/// registers come from <see cref="IgdOptions"/>) in QEMU 7.2 legacy mode (hw/vfio/igd.c): emulated GMCH (0x50, RO), BDSM
/// (0x5C, RW), ASLS (0xFC, RW) and, for Gen11+ IDs (10.2 map), the 64-bit BDSM at 0xC0.
/// </summary>
public sealed class IntelIgd(IgdOptions options) : PciFunction(options)
{
    public const ushort DefaultDeviceId = 0x0412;
    public static readonly Reg32 Gmch = new(0x50, "IGD_GMCH");
    public static readonly Reg32 Bdsm = new(0x5c, "IGD_BDSM");
    public const int Bdsm64 = 0xc0;
    public static readonly Reg32 Asls = new(0xfc, "IGD_ASLS");
    public const uint Gen6GmsMask = 0x1f;
    public const int Gen6GmsShift = 3;
    public const uint Gen8GmsMask = 0xff;
    public const int Gen8GmsShift = 8;
    public const int Gen6GgmsShift = 8;
    public const int Gen8GgmsShift = 6;
    public const uint GgmsMask = 0x3;
    public const uint MaxGms = 0x10;
    public const uint GmsUnitMb = 32;
    public const ulong GttMmioGen6 = 4 << 20;
    public const ulong GttMmioGen8 = 16 << 20;
    public const ulong ApertureSize = 256 << 20;
    public const ulong GttIoSize = 64;
    public const int OpRegionSize = 8192;
    public const string OpRegionSignature = "IntelGraphicsMem";
    public const ulong DefaultRomSize = 0x10000;
    /// <summary>igd_gen keys on the device ID's high byte; Broxton/Apollo Lake (0x?a84) is matched separately.</summary>
    public const ushort FamilyMask = 0xff00;
    public const ushort BroxtonMask72 = 0x0fff;
    public const ushort BroxtonMask102 = 0x0ffe;
    public const ushort BroxtonId = 0x0a84;
    private const ulong MiB = 1 << 20;

    public override string TypeName => "vfio-pci";
    public override DeviceIdentity Identity => new(PciVendor.Intel, options.DeviceId, PciClass.DisplayVga) { InterruptPin = 1 };

    /// <summary>igd_gen (7.2): 6, 8, or -1 for unsupported IDs; anything unknown is assumed gen 8.</summary>
    public static int Generation72(ushort deviceId)
    {
        if ((deviceId & BroxtonMask72) == BroxtonId) return 8;
        return (deviceId & FamilyMask) switch
        {
            0x0000 or 0x2500 or 0x2700 or 0x2900 or 0x2a00 or 0x2e00 or 0x3500 or 0xa000 => -1,
            0x0100 or 0x0400 or 0x0a00 or 0x0c00 or 0x0d00 or 0x0f00 => 6,
            _ => 8,
        };
    }

    /// <summary>igd_gen (10.2 map), used only to decide the Gen11+ 64-bit BDSM at 0xC0.</summary>
    public static int Generation102(ushort deviceId)
    {
        if ((deviceId & BroxtonMask102) == BroxtonId) return 9;
        return (deviceId & FamilyMask) switch
        {
            0x0100 => 6,
            0x0400 or 0x0a00 or 0x0c00 or 0x0d00 or 0x0f00 => 7,
            0x1600 or 0x2200 => 8,
            0x1900 or 0x3100 or 0x5900 or 0x3e00 or 0x9b00 => 9,
            0x8a00 or 0x4500 or 0x4e00 => 11,
            0x9a00 or 0x4c00 or 0x4600 or 0xa700 => 12,
            _ => -1,
        };
    }

    public int Generation => Generation72(options.DeviceId);
    public bool HasBdsm64 => Generation102(options.DeviceId) >= 11;

    /// <summary>The fw_cfg files (vfio_pci_igd_opregion_init, vfio_probe_igd_bar4_quirk).</summary>
    public IgdFwCfg FwCfg { get; private set; } = new(null, null);

    /// <summary>The GMCH value the guest reads: host GMCH with GMS replaced by x-igd-gms (invalid → 0).</summary>
    public uint EmulatedGmch
    {
        get
        {
            var gen8 = Generation >= 8;
            var gmch = options.HostGmch & ~((gen8 ? Gen8GmsMask : Gen6GmsMask) << (gen8 ? Gen8GmsShift : Gen6GmsShift));
            return options.Gms is > 0 and <= MaxGms ? gmch | (options.Gms << (gen8 ? Gen8GmsShift : Gen6GmsShift)) : gmch;
        }
    }

    /// <summary>(GGMS MiB + GMS MiB) × 1 MiB.</summary>
    public ulong BdsmSize
    {
        get
        {
            var gmch = EmulatedGmch;
            ulong ggms = Generation >= 8 ? 1UL << (int)((gmch >> Gen8GgmsShift) & GgmsMask) : (gmch >> Gen6GgmsShift) & GgmsMask;
            var gms = options.Gms is > 0 and <= MaxGms ? options.Gms * GmsUnitMb : 0;
            return (ggms + gms) * MiB;
        }
    }

    protected override void Configure(ConfigSpaceBuilder b)
    {
        var gen = Generation;
        b.Bar(new BarDefinition(0, BarKind.Memory64, gen >= 8 ? GttMmioGen8 : GttMmioGen6));
        b.Bar(new BarDefinition(2, BarKind.Memory64, ApertureSize, Prefetchable: true));
        b.Bar(new BarDefinition(4, BarKind.Io, GttIoSize));
        var rom = OptionRom.EffectiveSize(options, DefaultRomSize);
        if (rom != 0) b.Rom(rom);
        var legacy = options.LegacyMode && gen > 0 && rom != 0 && !Hotplugged;
        ReadOnlyMemory<byte>? opregion = null;
        if (legacy || options.OpRegion)
        {
            opregion = options.OpRegionData ?? SyntheticOpRegion();
            b.Init(Asls, 0).WriteMask(Asls, uint.MaxValue);
        }
        ulong? bdsmSize = null;
        if (legacy)
        {
            b.Init(Gmch, EmulatedGmch).WriteMask(Gmch, 0);
            b.Init(Bdsm, 0).WriteMask(Bdsm, uint.MaxValue);
            if (HasBdsm64)
            {
                b.Init(Bdsm64, 4, 0).WriteMask(Bdsm64, 4, uint.MaxValue);
                b.Init(Bdsm64 + 4, 4, 0).WriteMask(Bdsm64 + 4, 4, uint.MaxValue);
            }
            bdsmSize = BdsmSize;
        }
        FwCfg = new IgdFwCfg(opregion, bdsmSize);
    }

    private static ReadOnlyMemory<byte> SyntheticOpRegion()
    {
        var data = new byte[OpRegionSize];
        System.Text.Encoding.ASCII.GetBytes(OpRegionSignature).CopyTo(data, 0);
        return data;
    }
}
