namespace PciEmu.Platform;

/// <summary>
/// How a machine splits RAM around the 32-bit PCI hole and where its holes are (hw/i386/pc_piix.c pc_init1,
/// hw/i386/pc_q35.c pc_q35_init, hw/i386/pc.c pc_memory_init / pc_pci_hole64_start).
/// </summary>
public sealed record MemoryLayout
{
    public const ulong FourGiB = 4 * QemuValues.GiB;

    /// <summary>IO_APIC_DEFAULT_ADDRESS: the 32-bit PCI hole ends below it.</summary>
    public const ulong IoApicBase = 0xfec00000;

    /// <summary>pc_piix.c: default max-ram-below-4g (3.5 GiB).</summary>
    public const ulong PcMaxRamBelow4G = 0xe0000000;

    /// <summary>pc_piix.c gigabyte_align: the split when RAM reaches max-ram-below-4g.</summary>
    public const ulong PcGigabyteAlignedLowMem = 0xc0000000;

    /// <summary>pc_q35.c: RAM at or above this moves everything above 2 GiB to 4 GiB.</summary>
    public const ulong Q35LowMemLimit = 0xb0000000;
    public const ulong Q35LowMemSplit = 0x80000000;

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

    /// <summary>pc_init1 / pc_q35_init RAM split, then pc_memory_init's e820 and device-memory area.</summary>
    public static MemoryLayout Compute(MachineOptions options)
    {
        var ram = options.RamSize;
        var lowmem = options.Type.Kind == MachineKind.Pc ? PcLowMem(options) : Q35LowMem(options);
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
            PciHole64Size = options.Type.Kind == MachineKind.Pc ? PcHole64Size : Q35Hole64Size,
            E820 = e820,
        };
    }

    /// <summary>pc_init1: max-ram-below-4g (default 3.5 GiB), gigabyte-aligned to 3 GiB when RAM reaches it.</summary>
    private static ulong PcLowMem(MachineOptions options)
    {
        var max = options.MaxRamBelow4G != 0 ? options.MaxRamBelow4G : PcMaxRamBelow4G;
        var lowmem = max;
        if (options.RamSize >= max && lowmem > PcGigabyteAlignedLowMem) lowmem = PcGigabyteAlignedLowMem;
        return lowmem;
    }

    /// <summary>pc_q35_init: 2 GiB low when RAM reaches 0xb0000000, else 0xb0000000; max-ram-below-4g only lowers it.</summary>
    private static ulong Q35LowMem(MachineOptions options)
    {
        var lowmem = options.RamSize >= Q35LowMemLimit ? Q35LowMemSplit : Q35LowMemLimit;
        if (options.MaxRamBelow4G != 0 && lowmem > options.MaxRamBelow4G) lowmem = options.MaxRamBelow4G;
        return lowmem;
    }
}
