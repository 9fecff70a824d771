using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Platform.Machines.Virt;

/// <summary>
/// <c>-M virt</c> (hw/arm/virt.c): the GPEX PCIe host (gpex-root at 00:00.0) on root bus pcie.0, ECAM only (no
/// CF8/CFC, no 0xCF9), the ECAM window and PIO/MMIO apertures fixed by the board's memory map, acpi-ged's ACPI PCI
/// hot-plug (QEMU 10.1+, off by default) memory-mapped at VIRT_ACPI_PCIHP. Types: <c>virt-11.1</c> (QEMU 11.1, the
/// alias <c>virt</c>) and <c>virt-7.2</c> (QEMU 7.2's newest). It publishes a device tree (what EDK2 reads) and
/// ACPI (what Linux reads) through <see cref="PublishTables"/>.
/// </summary>
public sealed class VirtMachineKind : MachineKind
{
    public static VirtMachineKind Instance { get; } = new();

    private const string GedDriver = "acpi-ged";
    private const string GedBridgeHotplug = "acpi-pci-hotplug-with-bridge-support";

    private IReadOnlyList<MachineType>? _types;

    private VirtMachineKind()
    {
    }

    public override string Name => "virt";

    /// <summary>DEFINE_VIRT_MACHINE_LATEST: the alias's description is its newest type's.</summary>
    public override string Description => TypeDescription(Latest);

    /// <summary>DEFINE_VIRT_MACHINE_IMPL: mc->desc = "QEMU " # major "." # minor " ARM Virtual Machine".</summary>
    public override string TypeDescription(MachineType type) => $"QEMU {type.Major}.{type.Minor} ARM Virtual Machine";

    /// <summary>The generations modelled, newest first: virt-11.1 (QEMU 11.1) and virt-7.2 (QEMU 7.2).</summary>
    public override IReadOnlyList<MachineType> Types => _types ??= [new MachineType(this, 11, 1), new MachineType(this, 7, 2)];

    /// <summary>"virt-MAJOR.MINOR".</summary>
    public override string TypeName(MachineType type) => $"virt-{type.Major}.{type.Minor}";

    public override string RootBusName => "pcie.0";
    public override bool RootBusIsExpress => true;

    /// <summary>virt has no CF8/CFC host and no 0xCF9: a port access there reaches nothing (ECAM only).</summary>
    public override bool HasCf8Cfc => false;

    public override bool HasEcam => true;
    public override TableArchitecture Architecture => TableArchitecture.Arm64;

    /// <summary>create_pcie: gpex's root complex function at 00:00.0.</summary>
    public override IReadOnlyList<DefaultDevice> DefaultDevices { get; } = [new("gpex-root", 0, 0, false)];

    /// <summary>mc->default_nic = virtio-net-pci; no default display.</summary>
    public override string DefaultNic => "virtio-net-pci";

    public override string? DefaultDisplay => null;

    /// <summary>hw_compat: x-pcie-ext-tag on since QEMU 9.2 (the QEMU 7.2 device models have no such bit).</summary>
    public override bool PcieExtTag(MachineType type) => type.IsAtLeast(9, 2);

    /// <summary>hw_compat_8_0: x-pcie-err-unc-mask on from QEMU 8.1.</summary>
    public override bool PcieErrUncMask(MachineType type) => type.IsAtLeast(8, 1);

    /// <summary>RAM only: the PCI apertures are the board's (<see cref="VirtMemoryMap"/>), not holes around RAM.</summary>
    public override MemoryLayout ComputeMemory(MachineOptions options, GlobalSet globals) => new() { RamSize = options.RamSize };

    /// <summary>create_pcie: the ECAM window at VIRT_HIGH_PCIE_ECAM (or the low one).</summary>
    public override (ulong Base, ulong Size)? FixedEcamWindow(MachineOptions options)
    {
        var map = MemoryMap(options);
        return (map.EcamBase, map.EcamSize);
    }

    /// <summary>
    /// acpi-ged's acpi-pci-hotplug-with-bridge-support (QEMU 10.1+, default off): ACPI PCI hot-plug with its register
    /// block memory-mapped at VIRT_ACPI_PCIHP; _OSC grants native hot-plug only without it. Older types have no such
    /// property (a -global naming it is fatal, as QEMU's object_apply_global_props).
    /// </summary>
    public override AcpiFacts ComputeAcpi(MachineType type, GlobalSet globals)
    {
        var acpiHotplug = false;
        if (VirtMachineTypes.HasGedPciHotplug(type))
        {
            acpiHotplug = globals.TakeBool(GedDriver, GedBridgeHotplug) ?? false;
        }
        else if (globals.For(GedDriver).FirstOrDefault(g => g.Property == GedBridgeHotplug) is { } g)
        {
            throw new QemuException(GlobalSet.CantApply(g, $"Property '{GedDriver}.{GedBridgeHotplug}' not found"));
        }
        var osc = VirtBoard.OscControls(acpiHotplug);
        return new AcpiFacts
        {
            AcpiBridgeHotplug = acpiHotplug,
            AcpiRootHotplug = false,
            RootPortHotplug = acpiHotplug ? HotplugMechanism.Acpi : HotplugMechanism.NativePcie,
            PciBridgeHotplug = acpiHotplug ? HotplugMechanism.Acpi : HotplugMechanism.Shpc,
            HasOsc = true,
            OscGrantedControls = osc,
            AcpiHotplugIoBase = null,
            AcpiHotplugMmioBase = acpiHotplug ? VirtMemoryMap.AcpiPciHotplugBase : null,
        };
    }

    /// <summary>virt_set_memmap for the machine's RAM, maxmem and slots.</summary>
    public static VirtMemoryMap MemoryMap(MachineOptions options) =>
        VirtMemoryMap.Compute(options.RamSize, options.MaxRamSize ?? options.RamSize, options.MemorySlots);

    /// <summary>The board's view of a virt machine (memory map, device-tree and ACPI descriptions of the host); null on other kinds.</summary>
    public static VirtBoard? BoardOf(Machine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        return machine.Kind is VirtMachineKind ? VirtBoard.Create(machine.Options, machine.Acpi.AcpiBridgeHotplug) : null;
    }

    /// <summary>The device tree (pcie@ node) and virt-acpi-build.c's PCI tables, after the firmware's PCI setup.</summary>
    public override FirmwareTables PublishTables(Machine machine) => VirtTablesBuilder.Build(machine, BoardOf(machine)!);
}
