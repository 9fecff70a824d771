namespace PciEmu.Platform.Machines.Virt;

/// <summary>
/// hw/arm/virt.c base_memmap / extended_memmap and virt_set_memmap / virt_set_high_memmap: where the PCIe host's
/// ECAM, PIO and MMIO windows live. The low part is fixed; the high regions follow RAM (and the device-memory area),
/// each aligned to its own size, starting no lower than 256 GiB. The same in QEMU 7.2 and 11.1 for the defaults
/// (highmem on, highmem-ecam on, highmem-mmio on, 512 GiB high MMIO).
/// </summary>
public sealed record VirtMemoryMap
{
    public const ulong MiB = QemuValues.MiB;
    public const ulong GiB = QemuValues.GiB;

    /// <summary>VIRT_PCIE_MMIO: the 32-bit MMIO window.</summary>
    public const ulong LowMmioBase = 0x10000000;
    public const ulong LowMmioSize = 0x2eff0000;

    /// <summary>VIRT_PCIE_PIO: the PCI I/O space, memory-mapped (port 0 at this CPU address).</summary>
    public const ulong PioBase = 0x3eff0000;
    public const ulong PioSize = 0x00010000;

    /// <summary>VIRT_PCIE_ECAM (low, 16 buses): used only when highmem-ecam is off.</summary>
    public const ulong LowEcamBase = 0x3f000000;
    public const ulong LowEcamSize = 0x01000000;

    /// <summary>VIRT_ACPI_PCIHP: acpi-ged's ACPI PCI hot-plug register block (QEMU 10.1+).</summary>
    public const ulong AcpiPciHotplugBase = 0x090c0000;

    /// <summary>VIRT_MEM: RAM starts at 1 GiB.</summary>
    public const ulong RamBase = 0x40000000;

    /// <summary>LEGACY_RAMLIMIT_BYTES: the high regions never start below RamBase + 255 GiB.</summary>
    public const ulong LegacyRamLimit = 255 * GiB;

    /// <summary>extended_memmap: VIRT_HIGH_GIC_REDIST2, VIRT_HIGH_PCIE_ECAM, VIRT_HIGH_PCIE_MMIO sizes.</summary>
    public const ulong HighGicRedist2Size = 64 * MiB;
    public const ulong HighEcamSize = 256 * MiB;
    public const ulong DefaultHighMmioSize = 512 * GiB;

    /// <summary>ECAM window (base, size) and the bus range it covers.</summary>
    public ulong EcamBase { get; init; }
    public ulong EcamSize { get; init; }
    public int BusCount => (int)(EcamSize / Fabric.EcamHost.BytesPerBus);

    /// <summary>High MMIO window; null when highmem-mmio is off or it does not fit.</summary>
    public ulong? HighMmioBase { get; init; }
    public ulong HighMmioSize { get; init; }

    /// <summary>virt_set_memmap (highmem, highmem-ecam, highmem-mmio on; pa_bits of cortex-a57 under TCG: 44).</summary>
    public static VirtMemoryMap Compute(ulong ramSize, ulong maxRamSize, ulong ramSlots)
    {
        const int paBits = 44;
        var deviceMemoryBase = MemoryLayout.RoundUp(RamBase + ramSize, GiB);
        var deviceMemorySize = maxRamSize - ramSize + ramSlots * GiB;
        var @base = deviceMemoryBase + MemoryLayout.RoundUp(deviceMemorySize, GiB);
        if (@base < RamBase + LegacyRamLimit) @base = RamBase + LegacyRamLimit;

        // virt_set_high_memmap: each region aligned to its size; a region that does not fit PA space is dropped.
        ulong Place(ulong size, out bool fits)
        {
            var regionBase = MemoryLayout.RoundUp(@base, size);
            fits = regionBase + size <= 1UL << paBits;
            if (fits) @base = regionBase + size;
            return regionBase;
        }
        Place(HighGicRedist2Size, out _);
        var ecam = Place(HighEcamSize, out var ecamFits);
        var mmio = Place(DefaultHighMmioSize, out var mmioFits);
        return new VirtMemoryMap
        {
            EcamBase = ecamFits ? ecam : LowEcamBase,
            EcamSize = ecamFits ? HighEcamSize : LowEcamSize,
            HighMmioBase = mmioFits ? mmio : null,
            HighMmioSize = mmioFits ? DefaultHighMmioSize : 0,
        };
    }
}
