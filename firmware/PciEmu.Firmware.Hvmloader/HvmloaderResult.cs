namespace PciEmu.Firmware.Hvmloader;

/// <summary>
/// The ACPI info block hvmloader writes at 0xFC000000 for the DSDT (acpi/build.c / libacpi build.c): PMIN/PLEN feed the
/// 32-bit DWordMemory of <c>\_SB.PCI0._CRS</c>, the 64-bit pair its QWordMemory (all zero unless something went high).
/// </summary>
public sealed record HvmloaderAcpiInfo(uint PciMin, uint PciLen, ulong PciHiMin, ulong PciHiLen);

/// <summary>What <c>pci_setup</c> left behind: its console lines, the hole it chose, the RAM after relocation, the ACPI hand-off.</summary>
public sealed record HvmloaderResult
{
    /// <summary>hvmloader's printf lines from pci_setup, verbatim (without the hypervisor console prefix).</summary>
    public required IReadOnlyList<string> Log { get; init; }

    /// <summary>Null when setup finished; otherwise hvmloader's assertion message (it stops there).</summary>
    public string? Failure { get; init; }

    public uint PciMemStart { get; init; }
    public uint PciMemEnd { get; init; }
    public ulong PciHiMemStart { get; init; }
    public ulong PciHiMemEnd { get; init; }

    /// <summary>hvm_info-&gt;low_mem_pgend / high_mem_pgend after RAM relocation.</summary>
    public uint LowMemPgEnd { get; init; }
    public uint HighMemPgEnd { get; init; }

    /// <summary>The VGA function kept as primary (devfn), or null.</summary>
    public int? VgaDevFn { get; init; }

    /// <summary>The block the DSDT reads (acpi_info-&gt;pci_min/pci_len/pci_hi_min/pci_hi_len).</summary>
    public HvmloaderAcpiInfo AcpiInfo => PciHiMemEnd > PciHiMemStart
        ? new(PciMemStart, PciMemEnd - PciMemStart, PciHiMemStart, PciHiMemEnd - PciHiMemStart)
        : new(PciMemStart, PciMemEnd - PciMemStart, 0, 0);
}
