using System.Globalization;

namespace PciEmu.Platform.Machines.Virt;

/// <summary>
/// The arm <c>virt</c> machine types PciEmu models, by QEMU's versioned names: <c>virt-11.1</c> (QEMU 11.1, what
/// <c>-M virt</c> means here) and <c>virt-7.2</c> (QEMU 7.2's newest). Hook: <see cref="MachineType.Find"/> asks
/// <see cref="Find"/> for names it does not know.
/// </summary>
public static class VirtMachineTypes
{
    public const string Alias = "virt";
    private const string Prefix = "virt-";

    /// <summary>The newest generation modelled (QEMU 11.1).</summary>
    public static MachineType Latest { get; } = new(MachineKind.Virt, 11, 1);

    /// <summary>QEMU 7.2's virt-7.2.</summary>
    public static MachineType V7_2 { get; } = new(MachineKind.Virt, 7, 2);

    private static readonly MachineType[] Modelled = [V7_2, Latest];

    /// <summary>"virt" or "virt-MAJOR.MINOR" for a modelled generation; null otherwise.</summary>
    public static MachineType? Find(string name)
    {
        if (name == Alias) return Latest;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var parts = name[Prefix.Length..].Split('.');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return null;
        }
        return Modelled.FirstOrDefault(t => t.Major == major && t.Minor == minor);
    }

    /// <summary>The versioned name, e.g. "virt-11.1".</summary>
    public static string NameOf(MachineType type) => $"{Prefix}{type.Major}.{type.Minor}";

    /// <summary>
    /// hw_compat: PCIe devices of this generation advertise Extended Tags (x-pcie-ext-tag, on since QEMU 9.2; the
    /// QEMU 7.2 device models have no such bit).
    /// </summary>
    public static bool PcieExtTag(MachineType type) => type.IsAtLeast(9, 2);

    /// <summary>hw_compat_8_0: x-pcie-err-unc-mask is on from QEMU 8.1 (the AER uncorrectable mask register).</summary>
    public static bool PcieErrUncMask(MachineType type) => type.IsAtLeast(8, 1);

    /// <summary>acpi-ged's acpi-pci-hotplug-with-bridge-support property exists (ACPI PCI hot-plug on arm, QEMU 10.1+).</summary>
    public static bool HasGedPciHotplug(MachineType type) => type.IsAtLeast(10, 1);
}
