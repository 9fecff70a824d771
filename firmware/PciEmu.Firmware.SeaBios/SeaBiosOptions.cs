namespace PciEmu.Firmware.SeaBios;

/// <summary>SeaBIOS releases whose pciinit rules the port knows (in release order).</summary>
public enum SeaBiosRelease
{
    /// <summary>rel-1.16.2 (Debian bookworm's 1.16.2-1): 64-bit window only as a fallback, just above RAM.</summary>
    Rel_1_16_2,

    /// <summary>
    /// rel-1.16.3: CPU phys-bits (physbits()), the 64-bit window at the top of the physical address space, and
    /// padded 64-bit hot-plug windows when RAM above 4 GiB exists on a long-mode CPU with phys-bits &gt;= 36.
    /// </summary>
    Rel_1_16_3,

    /// <summary>rel-1.17.0: the padding follows opt/org.seabios/pci64 (default: RAM above 4 GiB), top capped at 2^44.</summary>
    Rel_1_17_0,
}

/// <summary>
/// The CPUID facts physbits() (rel-1.16.3+) reads: the vendor signature (leaf 0), PAE (leaf 1 EDX bit 6), the
/// highest extended leaf, long mode (0x80000001 EDX bit 29) and the physical address bits (0x80000008 EAX[7:0]).
/// The default is QEMU's TCG qemu64 CPU.
/// </summary>
public sealed record SeaBiosCpu
{
    public const string AmdSignature = "AuthenticAMD";
    public const string IntelSignature = "GenuineIntel";

    public static SeaBiosCpu Qemu64Tcg { get; } = new();

    public string Signature { get; init; } = AmdSignature;
    public bool Pae { get; init; } = true;
    public uint MaxExtendedLeaf { get; init; } = 0x80000008;
    public bool LongMode { get; init; } = true;
    public byte PhysBits { get; init; } = 40;
}

/// <summary>
/// What upstream takes from its build configuration or from globals set before pci_setup. Immutable; one record
/// per boot. Values left null are derived the way SeaBIOS derives them (fw_cfg, e820).
/// </summary>
public sealed record SeaBiosOptions
{
    public static SeaBiosOptions Default { get; } = new();

    public SeaBiosRelease Release { get; init; } = SeaBiosRelease.Rel_1_16_2;

    /// <summary>The CPU physbits() probes (used from rel-1.16.3 on).</summary>
    public SeaBiosCpu Cpu { get; init; } = SeaBiosCpu.Qemu64Tcg;

    /// <summary>CONFIG_DEBUG_LEVEL: dprintf(n, ...) prints when n &lt;= this. Debian builds use 1.</summary>
    public int DebugLevel { get; init; } = 1;

    /// <summary>CONFIG_QEMU: pci_setup returns at once without it.</summary>
    public bool ConfigQemu { get; init; } = true;

    /// <summary>CONFIG_PMTIMER.</summary>
    public bool ConfigPmTimer { get; init; } = true;

    /// <summary>
    /// True when a timer other than the PIT was already chosen before pci_setup (KVM with invtsc/kvmclock), so
    /// pmtimer_setup is a no-op and "Using pmtimer" is not printed.
    /// </summary>
    public bool TimerAlreadySetUp { get; init; }

    /// <summary>acpi_pm_base; null derives it as qemu_platform_setup does (0x600 if etc/table-loader exists, else 0xb000).</summary>
    public ushort? AcpiPmBase { get; init; }

    /// <summary>RamSize override; null takes it from etc/e820 (qemu_early_e820).</summary>
    public uint? RamSize { get; init; }

    /// <summary>RamSizeOver4G override; null takes it from etc/e820.</summary>
    public ulong? RamSizeOver4G { get; init; }

    /// <summary>pcimem_end (BUILD_PCIMEM_END, the IOAPIC).</summary>
    public ulong PciMemEnd { get; init; } = SeaBiosDefs.BUILD_PCIMEM_END;

    /// <summary>Q35_HOST_BRIDGE_PCIEXBAR_ADDR.</summary>
    public ulong Q35MmconfigAddress { get; init; } = SeaBiosDefs.Q35_HOST_BRIDGE_PCIEXBAR_ADDR;

    /// <summary>
    /// Run the pre-pci_setup steps the port owns (qemu_early_e820, the 256 KiB BIOS reservation, the pm_base move)
    /// and log them. When false the e820 map starts empty unless <see cref="InitialE820"/> is given.
    /// </summary>
    public bool RunPreinit { get; init; } = true;

    /// <summary>
    /// Run what POST does to config space after pci_setup (SMM setup, the mptable's interrupt reads, the ATA and
    /// AHCI drivers, the option ROM scan, make_bios_readonly; <see cref="SeaBiosPost"/>).
    /// </summary>
    public bool RunPost { get; init; } = true;

    /// <summary>
    /// Apply what the first boot entry leaves in config space: with no disk, the first PCI option ROM's BEV, an
    /// iPXE build in QEMU's NIC romfiles (<see cref="IpxeBoot"/>: a model of its effect, not its code).
    /// </summary>
    public bool RunBootRom { get; init; } = true;

    /// <summary>CONFIG_ATA_DMA (off in the Debian build: init_pciata leaves IDE bus mastering alone).</summary>
    public bool ConfigAtaDma { get; init; }

    /// <summary>An e820 map to start from instead of etc/e820 (used when <see cref="RunPreinit"/> is false).</summary>
    public IReadOnlyList<PciEmu.Fabric.FirmwareTables.E820Entry>? InitialE820 { get; init; }
}
