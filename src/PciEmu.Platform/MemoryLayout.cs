using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Platform;

/// <summary>
/// How a machine splits RAM around the 32-bit PCI hole and where its holes are (hw/i386/pc_piix.c pc_init1,
/// hw/i386/pc_q35.c pc_q35_init (in Machines/Pc and Machines/Q35), hw/i386/pc.c pc_memory_init / pc_pci_hole64_start).
/// </summary>
public sealed record MemoryLayout
{
    public const ulong FourGiB = 4 * QemuValues.GiB;

    /// <summary>IO_APIC_DEFAULT_ADDRESS: the 32-bit PCI hole ends below it.</summary>
    public const ulong IoApicBase = 0xfec00000;

    /// <summary>DEFAULT_PCI_HOLE64_SIZE (i440FX-pcihost pci-hole64-size).</summary>
    public const ulong PcHole64Size = 1UL << 31;

    /// <summary>Q35_PCI_HOST_HOLE64_SIZE_DEFAULT (q35-pcihost pci-hole64-size).</summary>
    public const ulong Q35Hole64Size = 1UL << 35;

    /// <summary>pc_memory_init: the device-memory area starts at ROUND_UP(above-4G end, 1 GiB).</summary>
    private const ulong DeviceMemoryAlign = QemuValues.GiB;

    /// <summary>pc_memory_init: 1 GiB of alignment slack per memory slot (with pcmc->enforce_aligned_dimm).</summary>
    private const ulong DeviceMemorySlotSlack = QemuValues.GiB;

    public ulong RamSize { get; init; }
    public ulong BelowFourG { get; init; }
    public ulong AboveFourG { get; init; }

    /// <summary>Start of the device-memory (memory hot-plug) area, 0 when there is none (maxmem == ram).</summary>
    public ulong DeviceMemoryBase { get; init; }
    public ulong DeviceMemorySize { get; init; }

    /// <summary>The value of fw_cfg etc/reserved-memory-end, or null when QEMU does not publish the file.</summary>
    public ulong? ReservedMemoryEnd { get; init; }

    /// <summary>The 32-bit PCI hole before firmware enables anything: [below-4G RAM end, IOAPIC).</summary>
    public ulong PciHole32Start => BelowFourG;
    public ulong PciHole32End => IoApicBase;

    /// <summary>pc_pci_hole64_start: end of the device-memory area or of above-4G RAM, rounded up to 1 GiB.</summary>
    public ulong PciHole64DefaultStart { get; init; }

    /// <summary>The pci-hole64-size property of the host bridge.</summary>
    public ulong PciHole64Size { get; init; }

    /// <summary>i440fx/q35 get_pci_hole64_end when firmware placed nothing above it.</summary>
    public ulong PciHole64DefaultEnd => RoundUp(PciHole64DefaultStart + PciHole64Size, QemuValues.GiB);

    /// <summary>The e820 table QEMU hands firmware in etc/e820 (TCG; no KVM identity-map entry).</summary>
    public IReadOnlyList<E820Entry> E820 { get; init; } = [];

    public static ulong RoundUp(ulong value, ulong align) => (value + align - 1) & ~(align - 1);

    /// <summary>The layout of an x86 machine kind without -global overrides (pci-hole64-size at its default).</summary>
    public static MemoryLayout Compute(MachineOptions options) => options.Type.Kind.ComputeMemory(options, new GlobalSet([]));

    /// <summary>pc_init1 / pc_q35_init RAM split at <paramref name="lowmem"/>, then pc_memory_init's e820 and device-memory area.</summary>
    public static MemoryLayout Compute(MachineOptions options, ulong lowmem)
    {
        var ram = options.RamSize;
        ulong below, above;
        if (ram >= lowmem)
        {
            above = ram - lowmem;
            below = lowmem;
        }
        else
        {
            above = 0;
            below = ram;
        }

        var e820 = new List<E820Entry> { new(0, below, E820Type.Ram) };
        if (above > 0) e820.Add(new E820Entry(FourGiB, above, E820Type.Ram));

        var aboveEnd = FourGiB + above;
        ulong dmBase = 0, dmSize = 0;
        ulong? reservedEnd = null;
        var maxRam = options.MaxRamSize ?? ram;
        if (maxRam > ram)
        {
            // pc_memory_init: device memory follows above-4G RAM, 1 GiB aligned, plus 1 GiB slack per slot.
            dmBase = RoundUp(aboveEnd, DeviceMemoryAlign);
            dmSize = maxRam - ram + DeviceMemorySlotSlack * options.MemorySlots;
            reservedEnd = RoundUp(dmBase + dmSize, QemuValues.GiB);
        }
        var hole64Start = dmBase != 0 ? dmBase + dmSize : aboveEnd;
        return new MemoryLayout
        {
            RamSize = ram,
            BelowFourG = below,
            AboveFourG = above,
            DeviceMemoryBase = dmBase,
            DeviceMemorySize = dmSize,
            ReservedMemoryEnd = reservedEnd,
            PciHole64DefaultStart = RoundUp(hole64Start, QemuValues.GiB),
            E820 = e820,
        };
    }
}
