namespace PciEmu.Firmware.Hvmloader;

/// <summary>The two hvmloader <c>pci_setup</c> generations PciEmu ports (../shared/reference/xen-hvmloader-pci.md §7).</summary>
public enum HvmloaderVersion
{
    /// <summary>Xen 4.5.0 (the 2014 seed): ROM sized like a BAR, decode enabled per BAR, no RMRR or huge-BAR rules.</summary>
    V4_5,

    /// <summary>Xen 4.20.0 (= 4.19.0): ROM mask sizing, RMRR avoidance, decode cleared then enabled once, 64-bit BARs &gt; 1 GiB always high.</summary>
    V4_20,
}

/// <summary>An E820_RESERVED entry of hvmloader's memory_map (an RMRR the toolstack reserved), [Address, Address + Size).</summary>
public readonly record struct ReservedRange(ulong Address, ulong Size);

/// <summary>
/// What hvmloader's <c>pci_setup</c> reads besides config space: <c>hvm_info</c> (low/high RAM page ends), the xenstore keys
/// <c>hvmloader/allow-memory-relocate</c> and <c>platform/mmio_hole_size</c>, CPUID's physical address width and the
/// reserved entries of the E820 memory map. Config space itself comes through an <see cref="PciEmu.Core.IConfigAccessor"/>.
/// </summary>
public sealed record HvmloaderInput
{
    public HvmloaderVersion Version { get; init; } = HvmloaderVersion.V4_20;

    /// <summary>hvm_info-&gt;low_mem_pgend: first page frame above RAM below 4 GiB.</summary>
    public uint LowMemPgEnd { get; init; }

    /// <summary>hvm_info-&gt;high_mem_pgend: first page frame above RAM above 4 GiB (0 = no high RAM).</summary>
    public uint HighMemPgEnd { get; init; }

    /// <summary>xenstore platform/mmio_hole_size in bytes (xl mmio_hole=); 0 = key absent.</summary>
    public ulong MmioHoleSize { get; init; }

    /// <summary>xenstore hvmloader/allow-memory-relocate; null = key absent (hvmloader's default: allowed).</summary>
    public bool? AllowMemoryRelocate { get; init; }

    /// <summary>cpu_phys_addr(): CPUID 0x80000008 EAX[7:0], 36 when the leaf is missing.</summary>
    public int CpuPhysAddrBits { get; init; } = 36;

    /// <summary>E820_RESERVED entries of memory_map (RMRRs); 4.6+ keeps BARs out of them.</summary>
    public IReadOnlyList<ReservedRange> Reserved { get; init; } = [];

    /// <summary>outb for the ELCR writes (0x4d0/0x4d1); null = not observed.</summary>
    public Action<ushort, byte>? OutB { get; init; }
}
