namespace PciEmu.Platform.Machines.Virt;

/// <summary>
/// The arm <c>virt</c> machine types PciEmu models (registered by <see cref="VirtMachineKind"/>): <c>virt-11.1</c>
/// (QEMU 11.1, what <c>-M virt</c> means here) and <c>virt-7.2</c> (QEMU 7.2's newest), and the version facts of the board.
/// </summary>
public static class VirtMachineTypes
{
    /// <summary>The newest generation modelled (QEMU 11.1).</summary>
    public static MachineType Latest => VirtMachineKind.Instance.Latest;

    /// <summary>QEMU 7.2's virt-7.2.</summary>
    public static MachineType V7_2 => VirtMachineKind.Instance.Types[1];

    /// <summary>acpi-ged's acpi-pci-hotplug-with-bridge-support property exists (ACPI PCI hot-plug on arm, QEMU 10.1+).</summary>
    public static bool HasGedPciHotplug(MachineType type) => type.IsAtLeast(10, 1);
}
