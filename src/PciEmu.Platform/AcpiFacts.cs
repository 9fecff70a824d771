namespace PciEmu.Platform;

/// <summary>Who signals hot-plug on a bus.</summary>
public enum HotplugMechanism
{
    /// <summary>No hot-plug on this bus (q35's pcie.0, a root port with hotplug=off under ACPI hot-plug).</summary>
    None,

    /// <summary>ACPI PCI hot-plug (hw/acpi/pcihp.c): UP/DOWN registers + GPE, the OS runs acpiphp.</summary>
    Acpi,

    /// <summary>Native PCIe hot-plug: the root/downstream port's slot registers, the OS runs pciehp.</summary>
    NativePcie,

    /// <summary>Standard Hot-Plug Controller of a pci-bridge (hw/pci/shpc.c).</summary>
    Shpc,
}

/// <summary>
/// What the machine's ACPI tables tell an OS about PCI (hw/i386/acpi-build.c, QEMU 7.2), so drivers can ask
/// without tables: the hot-plug mechanism, the _OSC grant and the _DSM functions of PCI0.
/// </summary>
public sealed record AcpiFacts
{
    /// <summary>_OSC control bits (PCI Firmware spec): native hot-plug, SHPC, PME, AER, PCIe capability.</summary>
    public const uint OscNativeHotplug = 1u << 0;
    public const uint OscShpc = 1u << 1;
    public const uint OscPme = 1u << 2;
    public const uint OscAer = 1u << 3;
    public const uint OscPcieCapability = 1u << 4;

    /// <summary>ACPI_PCIHP_ADDR_PIIX4 / ACPI_PCIHP_ADDR_ICH9.</summary>
    public const ushort PiixHotplugIoBase = 0xae00;
    public const ushort Ich9HotplugIoBase = 0x0cc0;

    /// <summary>ACPI PCI hot-plug handles bridges' secondary buses (acpi-pci-hotplug-with-bridge-support).</summary>
    public bool AcpiBridgeHotplug { get; init; }

    /// <summary>ACPI hot-plug on the root bus (pc: acpi-root-pci-hotplug; never on q35's pcie.0).</summary>
    public bool AcpiRootHotplug { get; init; }

    /// <summary>The mechanism used on a root port's (PCIe) secondary bus.</summary>
    public HotplugMechanism RootPortHotplug { get; init; }

    /// <summary>The mechanism used on a pci-bridge's secondary bus.</summary>
    public HotplugMechanism PciBridgeHotplug { get; init; }

    /// <summary>True when the machine has an _OSC on PCI0 (q35); pc has none, so the OS gets no native control.</summary>
    public bool HasOsc { get; init; }

    /// <summary>The control bits _OSC grants (q35: 0x1E, plus bit 0 when ACPI hot-plug is off).</summary>
    public uint OscGrantedControls { get; init; }

    public bool OscGrantsNativeHotplug => (OscGrantedControls & OscNativeHotplug) != 0;

    /// <summary>x86 pc/q35 7.2 have no _DSM on PCI0, so function 5 ("preserve boot config") is absent.</summary>
    public bool HasDsmFunction5 => false;

    /// <summary>The value _DSM #5 returns; null = absent (Linux leaves preserve_config false).</summary>
    public int? DsmFunction5Value => null;

    /// <summary>I/O base of the ACPI PCI hot-plug register block, when ACPI hot-plug is present.</summary>
    public ushort? AcpiHotplugIoBase { get; init; }

    /// <summary>MMIO base of the same block where it is memory-mapped (arm virt's acpi-ged: VIRT_ACPI_PCIHP).</summary>
    public ulong? AcpiHotplugMmioBase { get; init; }

    /// <summary>A board without ACPI PCI hot-plug or _OSC (hot-plug only through the slots' own controllers).</summary>
    public static AcpiFacts NoAcpi { get; } = new()
    {
        RootPortHotplug = HotplugMechanism.NativePcie,
        PciBridgeHotplug = HotplugMechanism.Shpc,
    };

    /// <summary>i440fx/q35 ACPI facts for a machine kind and its PM device's properties.</summary>
    public static AcpiFacts For(MachineKind kind, bool acpiBridgeHotplug, bool acpiRootHotplug) =>
        kind is Machines.Pc.PcMachineKind ? ForPiix4(acpiBridgeHotplug, acpiRootHotplug) : ForIch9(acpiBridgeHotplug);

    /// <summary>pc: PIIX4 PM's ACPI PCI hot-plug (root bus and/or bridges), no _OSC on PCI0.</summary>
    public static AcpiFacts ForPiix4(bool acpiBridgeHotplug, bool acpiRootHotplug)
    {
        var acpi = acpiBridgeHotplug || acpiRootHotplug;
        return new AcpiFacts
        {
            AcpiBridgeHotplug = acpiBridgeHotplug,
            AcpiRootHotplug = acpiRootHotplug,
            RootPortHotplug = acpiBridgeHotplug ? HotplugMechanism.Acpi : HotplugMechanism.NativePcie,
            PciBridgeHotplug = acpiBridgeHotplug ? HotplugMechanism.Acpi : HotplugMechanism.Shpc,
            HasOsc = false,
            OscGrantedControls = 0,
            AcpiHotplugIoBase = acpi ? PiixHotplugIoBase : null,
        };
    }

    /// <summary>q35: ICH9's ACPI PCI hot-plug on bridges only; _OSC grants native hot-plug when it is off.</summary>
    public static AcpiFacts ForIch9(bool acpiBridgeHotplug)
    {
        const uint q35Base = OscShpc | OscPme | OscAer | OscPcieCapability;
        return new AcpiFacts
        {
            AcpiBridgeHotplug = acpiBridgeHotplug,
            AcpiRootHotplug = false,
            RootPortHotplug = acpiBridgeHotplug ? HotplugMechanism.Acpi : HotplugMechanism.NativePcie,
            PciBridgeHotplug = acpiBridgeHotplug ? HotplugMechanism.Acpi : HotplugMechanism.Shpc,
            HasOsc = true,
            OscGrantedControls = acpiBridgeHotplug ? q35Base : q35Base | OscNativeHotplug,
            AcpiHotplugIoBase = acpiBridgeHotplug ? Ich9HotplugIoBase : null,
        };
    }
}
