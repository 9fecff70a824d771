using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Firmware.Edk2;

/// <summary>What CPUID tells OVMF's PlatformAddressWidthFromCpuid (leaves 0x80000000, 0x80000001 EDX[26], 0x80000008).</summary>
public sealed record OvmfCpuId
{
    /// <summary>The vendor signature ("AuthenticAMD" for QEMU's qemu64 under TCG, "GenuineIntel").</summary>
    public string Vendor { get; init; } = "AuthenticAMD";

    /// <summary>CPUID 0x80000008 EAX[7:0].</summary>
    public int PhysBits { get; init; } = 40;

    /// <summary>CPUID 0x80000008 EAX[23:16] (QEMU 9.0+ only; 0 on QEMU 7.2).</summary>
    public int GuestPhysBits { get; init; }

    /// <summary>CPUID 0x80000001 EDX bit 26 (pdpe1gb).</summary>
    public bool Page1GSupport { get; init; }
}

/// <summary>The PlatformInfoHob fields OVMF's PEI computes for PCI (EFI_HOB_PLATFORM_INFO).</summary>
public sealed record OvmfPlatformInfo
{
    public ulong LowMemory { get; init; }
    public ulong Uc32Base { get; init; }
    public ulong PciExpressBaseAddress { get; init; }
    public ulong PcdPciMmio32Base { get; init; }
    public ulong PcdPciMmio32Size { get; init; }
    public ulong PcdPciMmio64Base { get; init; }
    public ulong PcdPciMmio64Size { get; init; }
    public ulong PcdPciIoBase { get; init; }
    public ulong PcdPciIoSize { get; init; }
    public int PhysMemAddressWidth { get; init; }

    /// <summary>The DEBUG_INFO lines PEI printed on the way (PlatformAddressWidthFromCpuid, PlatformDynamicMmioWindow).</summary>
    public IReadOnlyList<string> Log { get; init; } = [];
}

/// <summary>
/// OVMF's PEI platform code that decides the PCI apertures (OvmfPkg/Library/PlatformInitLib MemDetect.c and
/// Platform.c), reading QEMU's fw_cfg (etc/e820, etc/reserved-memory-end, opt/ovmf/X-PciMmio64Mb) and CPUID.
/// Versions: edk2-stable202211 (Debian 12's OVMF) and edk2-stable202608.
/// </summary>
public sealed class OvmfPlatform
{
    public const ushort Intel82441DeviceId = 0x1237;
    public const ushort IntelQ35MchDeviceId = 0x29c0;

    private const ulong Base2GiB = 0x80000000;
    private const ulong Base4GiB = 0x100000000;
    private const ulong Size1GiB = 0x40000000;
    private const ulong Size256MiB = 0x10000000;
    private const ulong PiixMmio32End = 0xfc000000;

    /// <summary>OvmfPkgX64.dsc PcdPciMmio64Size: the classic 32 GiB window.</summary>
    private const ulong DefaultPciMmio64Size = 0x800000000;

    /// <summary>PcdPciExpressBaseAddress in OvmfPkgX64.dsc: 0xB0000000 until 82c1aa87 (2023), 0xE0000000 since.</summary>
    private const ulong PciExpressBase202211 = 0xb0000000;
    private const ulong PciExpressBase202608 = 0xe0000000;

    private const ulong PiixIoBase = 0xc000;
    private const ulong PiixIoSize = 0x4000;
    private const ulong Q35IoBase = 0x6000;
    private const ulong Q35IoSize = 0xa000;

    private const uint X86PciMmio64MbLimit = 0x1000000;
    private const int MegabyteShift = 20;
    private const int E820EntrySize = 20;
    private const uint E820TypeRam = 1;
    private const uint E820TypeReserved = 2;

    /// <summary>MCH DRAM controller PCIEXBAR (00:00.0 0x60/0x64): length 256 MiB (bus FF) and enable.</summary>
    private const int McpPciexbarLow = 0x60;
    private const int McpPciexbarHigh = 0x64;
    private const uint McpPciexbarBusFf = 0x0;
    private const uint McpPciexbarEnable = 0x1;

    private readonly IFwCfg _fwCfg;
    private readonly OvmfCpuId _cpu;
    private readonly ushort _hostBridgeDevId;
    private readonly Edk2Version _version;
    private readonly List<string> _log = [];

    public OvmfPlatform(IFwCfg fwCfg, OvmfCpuId cpu, ushort hostBridgeDevId, Edk2Version version)
    {
        _fwCfg = fwCfg;
        _cpu = cpu;
        _hostBridgeDevId = hostBridgeDevId;
        _version = version;
    }

    private bool IsQ35 => _hostBridgeDevId == IntelQ35MchDeviceId;

    private ulong PcdPciExpressBaseAddress => _version == Edk2Version.Stable202211 ? PciExpressBase202211 : PciExpressBase202608;

    // The PlatformInfoHob fields, filled in PEI order.
    private ulong _lowMemory;
    private ulong _uc32Base;
    private ulong _mmio64Base;
    private ulong _mmio64Size = DefaultPciMmio64Size;
    private bool _mmio64Override;
    private int _physMemAddressWidth;

    /// <summary>
    /// InitializePlatform (PlatformPei/Platform.c) in the order that matters for PCI: PlatformQemuUc32BaseInitialization,
    /// PlatformAddressWidthInitialization, PlatformMemMapInitialization.
    /// </summary>
    public OvmfPlatformInfo Initialize()
    {
        PlatformQemuUc32BaseInitialization();
        PlatformAddressWidthInitialization();
        var (mmio32Base, mmio32Size, ioBase, ioSize) = PlatformMemMapInitialization();
        return new OvmfPlatformInfo
        {
            LowMemory = _lowMemory,
            Uc32Base = _uc32Base,
            PciExpressBaseAddress = IsQ35 ? PcdPciExpressBaseAddress : 0,
            PcdPciMmio32Base = mmio32Base,
            PcdPciMmio32Size = mmio32Size,
            PcdPciMmio64Base = _mmio64Size == 0 ? 0 : _mmio64Base,
            PcdPciMmio64Size = _mmio64Size,
            PcdPciIoBase = ioBase,
            PcdPciIoSize = ioSize,
            PhysMemAddressWidth = _physMemAddressWidth,
            Log = _log,
        };
    }

    /// <summary>OvmfPlatforms.h / Q35MchIch9.h / I440FxPiix4.h: the ACPI PM function and its registers.</summary>
    private static readonly Bdf Ich9Lpc = new(0, 0x1f, 0);
    private static readonly Bdf Piix4Pm = new(0, 1, 3);
    private const int PmbaOffset = 0x40;
    private const uint Ich9PmbaseMask = 0xff80;
    private const uint Ich9PmbaseValue = 0x0600;
    private const int Ich9AcpiCntl = 0x44;
    private const byte Ich9AcpiCntlAcpiEn = 0x80;
    private const int Ich9Rcba = 0xf0;
    private const uint Ich9RootComplexBase = 0xfed1c000;
    private const uint Ich9RcbaEn = 0x1;
    private const uint Piix4PmbaMask = 0xffc0;
    private const uint Piix4PmbaValue = 0xb000;
    private const int Piix4PmRegMisc = 0x80;
    private const byte Piix4PmRegMiscPmiose = 0x1;
    private const byte PciCommandIoSpace = 0x1;

    /// <summary>
    /// PlatformMiscInitialization (Platform.c), the config writes: unless ACPI PM I/O is already enabled, PMBA (ICH9 0x600,
    /// PIIX4 0xB000), the PM function's I/O enable, ACPI_EN / PMIOSE; on q35 the RCBA and then PciExBarInitialization.
    /// </summary>
    public void PlatformMiscInitialization(IConfigAccessor cf8)
    {
        ArgumentNullException.ThrowIfNull(cf8);
        var (pm, mask, value, ctl, en) = IsQ35
            ? (Ich9Lpc, Ich9PmbaseMask, Ich9PmbaseValue, Ich9AcpiCntl, Ich9AcpiCntlAcpiEn)
            : (Piix4Pm, Piix4PmbaMask, Piix4PmbaValue, Piix4PmRegMisc, Piix4PmRegMiscPmiose);
        if ((cf8.Read8(pm, ctl) & en) == 0)
        {
            cf8.Write32(pm, PmbaOffset, (cf8.Read32(pm, PmbaOffset) & ~mask) | value);
            cf8.Write8(pm, CommonHeader.Command.Offset, (byte)(cf8.Read8(pm, CommonHeader.Command.Offset) | PciCommandIoSpace));
            cf8.Write8(pm, ctl, (byte)(cf8.Read8(pm, ctl) | en));
        }
        if (!IsQ35) return;
        cf8.Write32(Ich9Lpc, Ich9Rcba, Ich9RootComplexBase | Ich9RcbaEn);
        PciExBarInitialization(cf8);
    }

    /// <summary>PciExBarInitialization (Platform.c): PCIEXBAR off, the high dword, then base | 256 MiB | enable (q35 only).</summary>
    public void PciExBarInitialization(IConfigAccessor cf8)
    {
        ArgumentNullException.ThrowIfNull(cf8);
        var host = new Bdf(0, 0, 0);
        var b = PcdPciExpressBaseAddress;
        cf8.Write32(host, McpPciexbarLow, 0);
        cf8.Write32(host, McpPciexbarHigh, (uint)(b >> 32));
        cf8.Write32(host, McpPciexbarLow, (uint)b | McpPciexbarBusFf | McpPciexbarEnable);
    }

    /// <summary>
    /// PlatformQemuUc32BaseInitialization (MemDetect.c). 202211: q35 uses 2 GiB (low RAM ≤ 2 GiB) or the MMCONFIG base;
    /// i440fx (and q35 in 202608) truncate [LowMemory, 4 GiB) to a power of two ending at 4 GiB.
    /// </summary>
    private void PlatformQemuUc32BaseInitialization()
    {
        _lowMemory = PlatformGetSystemMemorySizeBelow4gb();
        if (IsQ35 && _version == Edk2Version.Stable202211)
        {
            _uc32Base = _lowMemory <= Base2GiB ? Base2GiB : PcdPciExpressBaseAddress;
            return;
        }
        var uc32Size = GetPowerOfTwo(Base4GiB - _lowMemory);
        _uc32Base = Base4GiB - uc32Size;
    }

    /// <summary>PlatformGetSystemMemorySizeBelow4gb (MemDetect.c): the highest RAM end below 4 GiB in etc/e820.</summary>
    private ulong PlatformGetSystemMemorySizeBelow4gb()
    {
        var (low, _) = PlatformScanOrAdd64BitE820Ram();
        return low;
    }

    /// <summary>
    /// PlatformScanOrAdd64BitE820Ram (MemDetect.c): over the RAM entries of etc/e820, the highest end below 4 GiB
    /// (LowMemory) and the highest end overall, at least 4 GiB (MaxAddress).
    /// </summary>
    private (ulong LowMemory, ulong MaxAddress) PlatformScanOrAdd64BitE820Ram()
    {
        ulong low = 0, max = Base4GiB;
        foreach (var (start, length, type) in E820())
        {
            if (type != E820TypeRam) continue;
            var candidate = start + length;
            if (candidate > max) max = candidate;
            if (candidate > low && candidate < Base4GiB) low = candidate;
        }
        return (low, max);
    }

    private IEnumerable<(ulong Start, ulong Length, uint Type)> E820()
    {
        if (!_fwCfg.TryGetFile("etc/e820", out var data) || data.Length % E820EntrySize != 0) yield break;
        for (var o = 0; o < data.Length; o += E820EntrySize)
        {
            var s = data.Span[o..];
            yield return (BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[8..]),
                BinaryPrimitives.ReadUInt32LittleEndian(s[16..]));
        }
    }

    /// <summary>
    /// PlatformAddressWidthInitialization (MemDetect.c): no etc/hardware-info on QEMU, so PlatformGetFirstNonAddress;
    /// then CPUID; with a trusted width the dynamic MMIO window.
    /// </summary>
    private void PlatformAddressWidthInitialization()
    {
        var firstNonAddress = PlatformGetFirstNonAddress();
        PlatformAddressWidthFromCpuid();
        if (_physMemAddressWidth != 0)
        {
            PlatformDynamicMmioWindow();
            return;
        }
        var width = 63 - BitOperations.LeadingZeroCount(firstNonAddress);
        if ((firstNonAddress & (firstNonAddress - 1)) != 0) width++;
        _physMemAddressWidth = Math.Max(width, 36);
    }

    /// <summary>
    /// PlatformGetFirstNonAddress (MemDetect.c): the RAM end, the opt/ovmf/X-PciMmio64Mb override (MiB, up to 16 TiB),
    /// then the classic window above etc/reserved-memory-end, 1 GiB aligned and naturally aligned to its size.
    /// </summary>
    private ulong PlatformGetFirstNonAddress()
    {
        var (_, firstNonAddress) = PlatformScanOrAdd64BitE820Ram();
        if (ParseUint32("opt/ovmf/X-PciMmio64Mb") is { } mb)
        {
            if (mb <= X86PciMmio64MbLimit)
            {
                _mmio64Size = (ulong)mb << MegabyteShift;
                _mmio64Override = true;
            }
            else
            {
                _log.Add("PlatformGetFirstNonAddress: ignoring malformed 64-bit PCI host aperture size from fw_cfg");
            }
        }
        if (_mmio64Size == 0)
        {
            _log.Add("PlatformGetFirstNonAddress: disabling 64-bit PCI host aperture");
            return firstNonAddress;
        }
        if (_fwCfg.TryGetFile("etc/reserved-memory-end", out var end) && end.Length == sizeof(ulong))
        {
            firstNonAddress = BinaryPrimitives.ReadUInt64LittleEndian(end.Span);
        }
        _mmio64Base = AlignValue(firstNonAddress, Size1GiB);
        _mmio64Size = AlignValue(_mmio64Size, Size1GiB);
        _mmio64Base = AlignValue(_mmio64Base, GetPowerOfTwo(_mmio64Size));
        return _mmio64Base + _mmio64Size;
    }

    /// <summary>QemuFwCfgParseUint32 (QemuFwCfgSimpleParserLib): a decimal or 0x-hex string file; null when absent or malformed.</summary>
    private uint? ParseUint32(string name)
    {
        if (!_fwCfg.TryGetFile(name, out var data)) return null;
        var text = Encoding.ASCII.GetString(data.Span).TrimEnd('\0', '\n');
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return uint.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h) ? h : null;
        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    /// <summary>
    /// PlatformAddressWidthFromCpuid (MemDetect.c) with QemuQuirk: a width is trusted if guest-phys-bits is reported
    /// (202608), if it is 41 or more, or 36/39 on Intel, 40 on AMD; capped (47 in 202211, 46 with 4-level paging in
    /// 202608) and at 40 without 1 GiB pages.
    /// </summary>
    private void PlatformAddressWidthFromCpuid()
    {
        var physBits = _cpu.PhysBits;
        var guestPhysBits = _version == Edk2Version.Stable202211 ? 0 : _cpu.GuestPhysBits;
        var valid = guestPhysBits != 0
            || physBits >= 41
            || (_cpu.Vendor == "GenuineIntel" && physBits is 36 or 39)
            || (_cpu.Vendor == "AuthenticAMD" && physBits == 40);
        _log.Add($"PlatformAddressWidthFromCpuid: Signature: '{_cpu.Vendor}', PhysBits: {physBits}, QemuQuirk: On, Valid: {(valid ? "Yes" : "No")}");
        if (guestPhysBits != 0 && physBits > guestPhysBits) physBits = guestPhysBits;
        if (!valid) return;
        var cap = _version == Edk2Version.Stable202211 ? 47 : 46;
        if (physBits > cap) physBits = cap;
        if (!_cpu.Page1GSupport && physBits > 40) physBits = 40;
        _physMemAddressWidth = physBits;
    }

    /// <summary>
    /// PlatformDynamicMmioWindow (MemDetect.c): when the address space allows more than the classic window, use its
    /// top eighth; 202608 keeps a fw_cfg override and moves the window below a reserved e820 entry it overlaps
    /// (PlatformReservationConflictCB).
    /// </summary>
    private void PlatformDynamicMmioWindow()
    {
        var addrSpace = 1UL << _physMemAddressWidth;
        var mmioSpace = 1UL << (_physMemAddressWidth - 3);
        if (_version != Edk2Version.Stable202211 && _mmio64Override)
        {
            _log.Add("PlatformDynamicMmioWindow: using fwcfg override for mmio window");
        }
        else if (_mmio64Size < mmioSpace && _mmio64Base + mmioSpace < addrSpace)
        {
            _log.Add("PlatformDynamicMmioWindow: using dynamic mmio window");
            _mmio64Size = mmioSpace;
            _mmio64Base = addrSpace - mmioSpace;
            if (_version != Edk2Version.Stable202211) PlatformReservationConflictCB();
        }
        else
        {
            _log.Add("PlatformDynamicMmioWindow: using classic mmio window");
        }
        _log.Add($"PlatformDynamicMmioWindow:   Pci64 Base 0x{_mmio64Base:X}");
        _log.Add($"PlatformDynamicMmioWindow:   Pci64 Size 0x{_mmio64Size:X}");
    }

    /// <summary>PlatformReservationConflictCB (MemDetect.c): a reserved e820 entry inside the window moves it below that entry.</summary>
    private void PlatformReservationConflictCB()
    {
        foreach (var (start, length, type) in E820())
        {
            if (type != E820TypeReserved) continue;
            var intersect = start < _mmio64Base + _mmio64Size && start + length > _mmio64Base;
            if (!intersect) continue;
            var newBase = (start - _mmio64Size) & ~(_mmio64Size - 1);
            _log.Add($"PlatformReservationConflictCB: move mmio: 0x{_mmio64Base:X} => 0x{newBase:X}");
            _mmio64Base = newBase;
        }
    }

    /// <summary>
    /// PlatformMemMapInitialization (Platform.c): the 32-bit window (i440fx: [Uc32Base, 0xFC000000); q35 202211:
    /// [MMCONFIG + 256 MiB, 0xFC000000); q35 202608: [Uc32Base, MMCONFIG)) and the I/O window (0xC000 / q35 0x6000).
    /// </summary>
    private (ulong Mmio32Base, ulong Mmio32Size, ulong IoBase, ulong IoSize) PlatformMemMapInitialization()
    {
        ulong pciBase, pciSize;
        if (IsQ35 && _version == Edk2Version.Stable202211)
        {
            pciBase = PcdPciExpressBaseAddress + Size256MiB;
            pciSize = PiixMmio32End - pciBase;
        }
        else if (IsQ35)
        {
            pciBase = _uc32Base;
            pciSize = PcdPciExpressBaseAddress - pciBase;
        }
        else
        {
            pciBase = _uc32Base;
            pciSize = PiixMmio32End - pciBase;
        }
        return IsQ35 ? (pciBase, pciSize, Q35IoBase, Q35IoSize) : (pciBase, pciSize, PiixIoBase, PiixIoSize);
    }

    /// <summary>GetPowerOfTwo64: the highest power of two not above the value.</summary>
    private static ulong GetPowerOfTwo(ulong v) => v == 0 ? 0 : 1UL << (63 - BitOperations.LeadingZeroCount(v));

    private static ulong AlignValue(ulong v, ulong align) => (v + align - 1) & ~(align - 1);

    /// <summary>
    /// PciHostBridgeGetRootBridges (OvmfPkg/Library/PciHostBridgeLib): one root bridge, buses 0–255, attributes
    /// IDE|ISA|VGA (0x70069), COMBINE_MEM_PMEM plus MEM64_DECODE with a 64-bit aperture, no extended config space on
    /// i440fx, DMA below 4 GiB only.
    /// </summary>
    public HostBridgeDescription PciHostBridgeGetRootBridges(OvmfPlatformInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new HostBridgeDescription
        {
            FromDeviceTree = false,
            Attributes = OvmfRootBridgeAttributes,
            DmaAbove4G = false,
            NoExtendedConfigSpace = !IsQ35,
            EcamBase = info.PciExpressBaseAddress,
            EcamSize = IsQ35 ? Size256MiB : 0,
            BusStart = 0,
            BusEnd = PciMaxBus,
            IoBase = info.PcdPciIoBase,
            IoSize = info.PcdPciIoSize,
            IoCpuBase = info.PcdPciIoBase,
            Mem32Base = info.PcdPciMmio32Base,
            Mem32Size = info.PcdPciMmio32Size,
            Mem64Base = info.PcdPciMmio64Base,
            Mem64Size = info.PcdPciMmio64Size,
        };
    }

    /// <summary>EFI_PCI_ATTRIBUTE_IDE_PRIMARY_IO | IDE_SECONDARY_IO | ISA_IO_16 | ISA_MOTHERBOARD_IO | VGA_MEMORY | VGA_IO_16 | VGA_PALETTE_IO_16.</summary>
    private const ulong OvmfRootBridgeAttributes = 0x70069;

    private const int PciMaxBus = 255;
}

/// <summary>The x86 OVMF BDS facts the PCI steps need (PcdOvmfHostBridgePciDevId: i440fx or q35).</summary>
public sealed record OvmfBds(bool IsQ35);
