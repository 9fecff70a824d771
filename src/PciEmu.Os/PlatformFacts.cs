using PciEmu.Fabric.FirmwareTables;
using PciEmu.Os.Resources;

namespace PciEmu.Os;

/// <summary>Which architecture's PCI glue runs (claim-everything x86 vs reassign-unless-preserve arm64).</summary>
public enum PciArch
{
    X86,
    Arm64,
}

/// <summary>One host-bridge aperture from _CRS (producer range), CPU addresses.</summary>
public readonly record struct RootWindow(ResFlags Type, ulong Start, ulong End);

/// <summary>An e820 entry the x86 allocator keeps clear of (pci_use_e820).</summary>
public readonly record struct E820Range(ulong Start, ulong End);

/// <summary>
/// The ACPI/platform facts the enumerator is handed (it has no device objects): the root bus apertures, the ACPI
/// hot-plug slots QEMU's DSDT describes, _OSC grants and _DSM #5.
/// </summary>
public sealed record PlatformFacts
{
    public PciArch Arch { get; init; } = PciArch.X86;

    /// <summary>_CRS windows in DSDT order.</summary>
    public IReadOnlyList<RootWindow> RootWindows { get; init; } = [];

    /// <summary>_CRS bus range of the root bridge.</summary>
    public int BusEnd { get; init; } = 0xff;

    /// <summary>True when the host bridge has an _OSC (q35, arm virt); pc has none and shpchp falls back to OSHP.</summary>
    public bool HasOsc { get; init; }

    /// <summary>_OSC granted native PCIe hot-plug (pciehp binds to HPC root/downstream ports).</summary>
    public bool OscGrantsPcieHotplug { get; init; }

    /// <summary>_OSC granted SHPC hot-plug.</summary>
    public bool OscGrantsShpcHotplug { get; init; }

    /// <summary>_OSC granted AER (the pcieport AER service line).</summary>
    public bool OscGrantsAer { get; init; } = true;

    /// <summary>_DSM function 5 returned integer 0 (preserve_config).</summary>
    public bool PreserveBootConfig { get; init; }

    /// <summary>ACPI hot-plug slots per bus number (the device numbers whose _SUN/_EJ0 objects acpiphp registers).</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<int>> AcpiSlots { get; init; } = new Dictionary<int, IReadOnlyList<int>>();

    /// <summary>The ACPI namespace below the host bridge (Linux finds a bus's companion through its bridge's _ADR in the
    /// parent's scope, not by bus number). Null: no model; <see cref="AcpiSlots"/> alone says which slots are ejectable.</summary>
    public AcpiPciScope? AcpiRoot { get; init; }

    /// <summary>ACPI path of the root host bridge (for shpchp's OSHP lines).</summary>
    public string RootAcpiPath { get; init; } = DefaultRootAcpiPath;

    /// <summary>QEMU's host bridge object on x86 and arm virt.</summary>
    public const string DefaultRootAcpiPath = @"\_SB_.PCI0";

    /// <summary>PCIBIOS_MIN_MEM (x86: pci_mem_start, the start of the e820 gap).</summary>
    public ulong PciMemStart { get; init; }

    /// <summary>e820 entries (x86 remove_e820_regions).</summary>
    public IReadOnlyList<E820Range> E820 { get; init; } = [];

    /// <summary>First MSI vector Linux hands to port services (x86 QEMU guests: 24).</summary>
    public int FirstPortIrq { get; init; } = 24;
}
