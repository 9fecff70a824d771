using PciEmu.Core;
using PciEmu.Os.Resources;

namespace PciEmu.Os.Platform;

/// <summary>The QEMU 7.2 x86 machine types whose ACPI tables the facts are derived for.</summary>
public enum QemuX86Machine
{
    Pc,
    Q35,
}

/// <summary>
/// Derives the <see cref="PlatformFacts"/> QEMU 7.2's ACPI tables give a guest on pc/q35 from the RAM size and the layout
/// the firmware left: the _CRS windows (I/O split around 0xcf8, VGA hole, the 32-bit hole, the 64-bit hole), the
/// ACPI hot-plug slots of build_append_pci_bus_devices, and the _OSC grants.
/// </summary>
public static class QemuX86Facts
{
    private const ulong GiB = 1UL << 30;
    private const ulong FourGiB = 4 * GiB;
    private const ulong PcLowmemLimit = 0xe0000000;
    private const ulong PcLowmemGigabyteAligned = 0xc0000000;
    private const ulong Q35LowmemLimit = 0xb0000000;
    private const ulong Q35LowmemLarge = 0x80000000;
    private const ulong Q35McfgEnd = 0xbfffffff;
    private const ulong PciHoleEnd = 0xfebfffff;
    private const ulong PcHole64Size = 2 * GiB;
    private const ulong Q35Hole64Size = 32 * GiB;
    private const ulong VgaStart = 0xa0000;
    private const ulong VgaEnd = 0xbffff;
    private const ulong IoLowEnd = 0x0cf7;
    private const ulong IoHighStart = 0x0d00;
    private const ulong IoEnd = 0xffff;
    private const int SlotsPerBus = 32;


    /// <summary>Builds the facts; <paramref name="acpiPciHotplug"/> false models
    /// {PIIX4_PM,ICH9-LPC}.acpi-pci-hotplug-with-bridge-support=off; <paramref name="acpiRootHotplug"/> is pc's
    /// acpi-root-pci-hotplug (default: on for pc when bridge hot-plug is on, as before; never on q35's pcie.0).</summary>
    public static PlatformFacts Build(QemuX86Machine machine, ulong ramSize, IConfigAccessor cfg, bool acpiPciHotplug = true,
        bool? acpiRootHotplug = null, QemuPciBus? tree = null)
    {
        var rootHotplug = machine == QemuX86Machine.Pc && (acpiRootHotplug ?? acpiPciHotplug);
        var below4g = BelowFourGiB(machine, ramSize);
        var above4g = ramSize - below4g;
        var windows = new List<RootWindow>
        {
            new(ResFlags.Io, 0, IoLowEnd),
            new(ResFlags.Io, IoHighStart, IoEnd),
            new(ResFlags.Mem, VgaStart, VgaEnd),
        };
        if (machine == QemuX86Machine.Q35 && below4g < Q35LowmemLimit)
        {
            windows.Add(new(ResFlags.Mem, below4g, Q35LowmemLimit - 1));
            windows.Add(new(ResFlags.Mem, Q35McfgEnd + 1, PciHoleEnd));
        }
        else
        {
            windows.Add(new(ResFlags.Mem, below4g, PciHoleEnd));
        }
        tree ??= QemuDsdt.ReadTree(cfg, rootIsExpress: machine == QemuX86Machine.Q35);
        var acpiRoot = QemuDsdt.Describe(tree, PlatformFacts.DefaultRootAcpiPath, machine == QemuX86Machine.Pc, rootHotplug, acpiPciHotplug);
        var hole64Size = machine == QemuX86Machine.Pc ? PcHole64Size : Q35Hole64Size;
        var (start64, end64) = Hole64(cfg, ResourceTree.AlignUp(FourGiB + above4g, GiB), hole64Size);
        windows.Add(new(ResFlags.Mem, start64, end64 - 1));
        return new PlatformFacts
        {
            Arch = PciArch.X86,
            RootWindows = windows,
            HasOsc = machine == QemuX86Machine.Q35,
            OscGrantsPcieHotplug = machine == QemuX86Machine.Q35 && !acpiPciHotplug,
            OscGrantsShpcHotplug = machine == QemuX86Machine.Q35,
            AcpiRoot = acpiRoot,
            AcpiSlots = QemuDsdt.SlotsByBusNumber(acpiRoot, tree),
            PciMemStart = below4g,
        };
    }

    /// <summary>
    /// i440fx/q35 pcihost get_pci_hole64_start/end (pci_hole64_fix): the firmware's 64-bit mappings (pci_bus_get_w64_range)
    /// move the start down and the end up; otherwise the default hole. Returns [start, end).
    /// </summary>
    public static (ulong Start, ulong End) Hole64(IConfigAccessor cfg, ulong defaultStart, ulong size)
    {
        var (lob, upb) = W64Range(cfg);
        var start = lob != 0 ? lob : defaultStart;
        var end = upb != 0 ? upb + 1 : 0;
        var holeEnd = ResourceTree.AlignUp(start + size, GiB);
        return (start, Math.Max(end, holeEnd));
    }

    /// <summary>pci_bus_get_w64_range / pci_dev_get_w64: 64-bit BARs and bridge pref windows of memory-enabled
    /// functions, clipped to 4 GiB and above. Returns (0, 0) when nothing is mapped there.</summary>
    private static (ulong Lob, ulong Upb) W64Range(IConfigAccessor cfg)
    {
        ulong lob = ulong.MaxValue, upb = 0;
        void Extend(ulong lo, ulong hi)
        {
            lo = Math.Max(lo, FourGiB);
            if (hi < lo) return;
            lob = Math.Min(lob, lo);
            upb = Math.Max(upb, hi);
        }
        foreach (var bdf in Functions(cfg))
        {
            if ((cfg.Read16(bdf, CommonHeader.Command.Offset) & (ushort)CommandBits.Memory) == 0) continue;
            var bridge = (cfg.Read8(bdf, CommonHeader.HeaderType.Offset) & CommonHeader.HeaderTypeMask) == CommonHeader.HeaderTypeBridge;
            if (bridge)
            {
                var baseLo = cfg.Read16(bdf, Type1Header.PrefMemoryBase.Offset);
                var limitLo = cfg.Read16(bdf, Type1Header.PrefMemoryLimit.Offset);
                ulong b = (ulong)(baseLo & BarBits.MemRangeMask) << 16, l = ((ulong)(limitLo & BarBits.MemRangeMask) << 16) | 0xfffff;
                if ((baseLo & BarBits.PrefRangeTypeMask) == BarBits.PrefRangeType64)
                {
                    b |= (ulong)cfg.Read32(bdf, Type1Header.PrefBaseUpper32.Offset) << 32;
                    l |= (ulong)cfg.Read32(bdf, Type1Header.PrefLimitUpper32.Offset) << 32;
                }
                if (l >= b) Extend(b, l);
            }
            var bars = bridge ? Type1Header.BarCount : Type0Header.BarCount;
            for (var i = 0; i < bars; i++)
            {
                var off = Type0Header.Bar(i).Offset;
                var lo = cfg.Read32(bdf, off);
                if ((lo & BarBits.SpaceIo) != 0 || (lo & BarBits.MemType64) == 0) continue;
                var hi = cfg.Read32(bdf, off + 4);
                cfg.Write32(bdf, off, uint.MaxValue);
                cfg.Write32(bdf, off + 4, uint.MaxValue);
                var size = ~((((ulong)cfg.Read32(bdf, off + 4)) << 32) | (cfg.Read32(bdf, off) & BarBits.MemAddressMask)) + 1;
                cfg.Write32(bdf, off, lo);
                cfg.Write32(bdf, off + 4, hi);
                var addr = ((ulong)hi << 32) | (lo & BarBits.MemAddressMask);
                if (size != 0 && addr != 0) Extend(addr, addr + size - 1);
                i++;
            }
        }
        return lob == ulong.MaxValue ? (0, 0) : (lob, upb);
    }

    /// <summary>Every function reachable from bus 0 through the firmware's bus numbers.</summary>
    private static IEnumerable<Bdf> Functions(IConfigAccessor cfg)
    {
        var pending = new Queue<int>([0]);
        var seen = new HashSet<int>();
        while (pending.Count > 0)
        {
            var bus = pending.Dequeue();
            if (!seen.Add(bus)) continue;
            for (var slot = 0; slot < SlotsPerBus; slot++)
            {
                for (var fn = 0; fn < Bdf.FunctionCount; fn++)
                {
                    var bdf = new Bdf(bus, slot, fn);
                    var id = cfg.Read32(bdf, CommonHeader.VendorId.Offset);
                    if (id is uint.MaxValue or 0)
                    {
                        if (fn == 0) break;
                        continue;
                    }
                    var hdr = cfg.Read8(bdf, CommonHeader.HeaderType.Offset);
                    if ((hdr & CommonHeader.HeaderTypeMask) == CommonHeader.HeaderTypeBridge)
                    {
                        var sec = cfg.Read8(bdf, Type1Header.SecondaryBus.Offset);
                        if (sec > bus) pending.Enqueue(sec);
                    }
                    yield return bdf;
                    if (fn == 0 && (hdr & CommonHeader.HeaderTypeMultifunction) == 0) break;
                }
            }
        }
    }

    /// <summary>pc_init1 / pc_q35_init: RAM below 4 GiB.</summary>
    public static ulong BelowFourGiB(QemuX86Machine machine, ulong ramSize) => machine switch
    {
        QemuX86Machine.Pc => ramSize >= PcLowmemLimit ? PcLowmemGigabyteAligned : ramSize,
        _ => ramSize >= Q35LowmemLimit ? Math.Min(ramSize, Q35LowmemLarge) : ramSize,
    };
}
