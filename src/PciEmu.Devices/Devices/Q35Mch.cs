using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>The live ECAM window the MCH's PCIEXBAR selects.</summary>
public readonly record struct PciexbarMapping(bool Enabled, ulong Base, ulong Size);

/// <summary>q35 MCH options.</summary>
public sealed record Q35MchOptions : PciDeviceOptions
{
    /// <summary>extended-tseg-mbytes.</summary>
    public ushort ExtendedTsegMbytes { get; init; } = 16;
}

/// <summary>Intel Q35 memory controller hub, 8086:29c0 at q35 00:00.0 (hw/pci-host/q35.c).</summary>
public sealed class Q35Mch(Q35MchOptions options) : PciFunction(options)
{
    public static readonly Reg16 ExtTsegMbytes = new(0x50, "MCH_EXT_TSEG_MBYTES");
    public const int PciexbarOffset = 0x60;
    public const int PciexbarSize = 8;
    public const int PamOffset = 0x90;
    public const int PamSize = 7;
    public static readonly Reg8 FSmbase = new(0x9c, "MCH_F_SMBASE");
    public static readonly Reg8 Smram = new(0x9d, "MCH_SMRAM");
    public static readonly Reg8 Esmramc = new(0x9e, "MCH_ESMRAMC");

    public const ulong PciexbarDefault = 0xb0000000;
    public const ulong PciexbarEnable = 0x1;
    public const ulong PciexbarLengthMask = 0x6;
    public const ulong PciexbarLength256M = 0x0;
    public const ulong PciexbarLength128M = 0x2;
    public const ulong PciexbarLength64M = 0x4;
    /// <summary>MCH_HOST_BRIDGE_PCIEXBAR_ADMSK: bits 35:28.</summary>
    public const ulong PciexbarAddressMask = 0xff0000000;
    public const ulong Pciexbar128AddressMask = 1UL << 26;
    public const ulong Pciexbar64AddressMask = 1UL << 25;
    private const ulong MiB = 1 << 20;

    public const ushort ExtTsegQuery = 0xffff;
    public const byte SmramDefault = 0x02;
    public const byte SmramWritable = 0x78;   // D_OPEN | D_CLS | D_LCK | G_SMRAME
    public const byte SmramDOpen = 0x40;
    public const byte SmramDLck = 0x10;
    public const byte SmramWritableLocked = 0x20;  // D_CLS
    public const byte EsmramcDefault = 0x38;
    public const byte EsmramcWritable = 0x87;  // H_SMRAME | TSEG_SZ | T_EN
    public const byte FSmbaseQuery = 0xff;
    public const byte FSmbaseInRam = 0x01;
    public const byte FSmbaseLock = 0x02;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.Intel, 0x29c0, PciClass.BridgeHost);

    public override string TypeName => "mch";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>The mapping as last decoded (pcie_host_mmcfg_update state).</summary>
    public PciexbarMapping Pciexbar { get; private set; }

    /// <summary>Raised whenever a write overlapping 0x60-0x67 (or reset) re-decodes PCIEXBAR to a valid length.</summary>
    public event Action<PciexbarMapping>? PciexbarChanged;

    /// <summary>Raised after a write overlapping PAM0-6 or SMRAM/ESMRAMC (mch_update_pam / mch_update_smram).</summary>
    public event Action<Q35Mch>? MemoryMappingsChanged;

    /// <summary>mch_update_pciexbar: null for the reserved length encoding (mapping left unchanged).</summary>
    public static PciexbarMapping? Decode(ulong pciexbar)
    {
        var mask = PciexbarAddressMask;
        ulong length;
        switch (pciexbar & PciexbarLengthMask)
        {
            case PciexbarLength256M: length = 256 * MiB; break;
            case PciexbarLength128M: length = 128 * MiB; mask |= Pciexbar128AddressMask | Pciexbar64AddressMask; break;
            case PciexbarLength64M: length = 64 * MiB; mask |= Pciexbar64AddressMask; break;
            default: return null;
        }
        return new PciexbarMapping((pciexbar & PciexbarEnable) != 0, pciexbar & mask, length);
    }

    protected override void Configure(ConfigSpaceBuilder b)
    {
    }

    /// <summary>mch_reset.</summary>
    protected override void OnReset()
    {
        var c = Config;
        c.SetQuad(PciexbarOffset, PciexbarDefault);
        c.SetByte(Smram.Offset, SmramDefault);
        c.SetByte(Esmramc.Offset, EsmramcDefault);
        c.WriteMask[Smram.Offset] = SmramWritable;
        c.WriteMask[Esmramc.Offset] = EsmramcWritable;
        if (options.ExtendedTsegMbytes > 0) c.SetWord(ExtTsegMbytes.Offset, ExtTsegQuery);
        c.SetByte(FSmbase.Offset, 0);
        c.WriteMask[FSmbase.Offset] = 0xff;
        UpdateExtTseg();
        UpdatePciexbar();
    }

    /// <summary>mch_write_config.</summary>
    protected override void OnConfigWritten(in ConfigWrite w)
    {
        if (w.Overlaps(PciexbarOffset, PciexbarSize)) UpdatePciexbar();
        if (w.Overlaps(FSmbase)) UpdateSmbase();
        if (w.Overlaps(Smram) || w.Overlaps(Esmramc)) UpdateSmramLock();
        if (w.Overlaps(ExtTsegMbytes)) UpdateExtTseg();
        if (w.Overlaps(PamOffset, PamSize) || w.Overlaps(Smram) || w.Overlaps(Esmramc)) MemoryMappingsChanged?.Invoke(this);
    }

    private void UpdatePciexbar()
    {
        if (Decode(Config.GetQuad(PciexbarOffset)) is not { } m) return;
        Pciexbar = m;
        PciexbarChanged?.Invoke(m);
    }

    /// <summary>mch_update_ext_tseg_mbytes: 0xffff is a query answered with extended-tseg-mbytes.</summary>
    private void UpdateExtTseg()
    {
        if (options.ExtendedTsegMbytes > 0 && Config.GetWord(ExtTsegMbytes.Offset) == ExtTsegQuery)
            Config.SetWord(ExtTsegMbytes.Offset, options.ExtendedTsegMbytes);
    }

    /// <summary>mch_update_smbase_smram: 0xff negotiates SMRAM at SMBASE; the lock bit freezes it.</summary>
    private void UpdateSmbase()
    {
        var c = Config;
        var v = c.GetByte(FSmbase.Offset);
        if (v == FSmbaseQuery)
        {
            c.SetByte(FSmbase.Offset, FSmbaseInRam);
            c.WriteMask[FSmbase.Offset] = FSmbaseLock;
        }
        else if ((v & FSmbaseLock) != 0)
        {
            c.WriteMask[FSmbase.Offset] = 0;
        }
    }

    /// <summary>mch_update_smram: D_LCK closes D_OPEN and locks the SMRAM/ESMRAMC write masks.</summary>
    private void UpdateSmramLock()
    {
        var c = Config;
        if ((c.GetByte(Smram.Offset) & SmramDLck) == 0) return;
        c.SetByte(Smram.Offset, (byte)(c.GetByte(Smram.Offset) & ~SmramDOpen));
        c.WriteMask[Smram.Offset] = SmramWritableLocked;
        c.WriteMask[Esmramc.Offset] = 0;
    }
}
