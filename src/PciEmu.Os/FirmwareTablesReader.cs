using PciEmu.Fabric.FirmwareTables;
using PciEmu.Os.Resources;

namespace PciEmu.Os;

/// <summary>
/// What Linux takes from the firmware tables before it touches config space (acpi_pci_root_add, pci_acpi_scan_root,
/// negotiate_os_control, acpiphp's slot enumeration; or of_pci's host probe): the only way the enumerator learns
/// about the platform besides config cycles.
/// </summary>
public static class FirmwareTablesReader
{
    /// <summary>The enumerator's facts from the tables of the (first) host bridge.</summary>
    public static PlatformFacts Read(FirmwareTables tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var bridge = tables.HostBridges.Count > 0 ? tables.HostBridges[0] : null;
        var osc = bridge?.Osc;
        var slots = new Dictionary<int, IReadOnlyList<int>>();
        foreach (var g in (tables.Acpi?.HotplugSlots ?? []).GroupBy(s => s.Bus))
            slots[g.Key] = g.Select(s => s.Slot).ToArray();
        var facts = new PlatformFacts
        {
            Arch = tables.Architecture == TableArchitecture.Arm64 ? PciArch.Arm64 : PciArch.X86,
            // acpi_pci_root_create → pci_acpi_root_prepare_resources: the _CRS producer windows in table order.
            RootWindows = bridge?.Windows.Select(w => new RootWindow(w.Space == WindowSpace.Io ? ResFlags.Io : ResFlags.Mem, w.Start, w.End)).ToArray() ?? [],
            // negotiate_os_control: no _OSC leaves the native bits as PciEmu always modelled them (AER on, hot-plug off).
            HasOsc = osc is not null,
            OscGrantsPcieHotplug = osc is { } o1 && o1.HasFlag(OscControls.NativeHotplug),
            OscGrantsShpcHotplug = osc is { } o2 && o2.HasFlag(OscControls.Shpc),
            OscGrantsAer = osc is not { } o3 || o3.HasFlag(OscControls.Aer),
            // pci_acpi_preserve_config: _DSM function 5 returning 0.
            PreserveBootConfig = bridge?.DsmFunction5 == 0,
            AcpiSlots = slots,
            PciMemStart = tables.PciGapStart,
            // arch_remove_reservations → remove_e820_regions clips allocations around the firmware's e820 table.
            E820 = tables.E820?.Where(e => e.Length > 0).Select(e => new E820Range(e.Start, e.End - 1)).ToArray() ?? [],
        };
        if (bridge is not null) facts = facts with { BusEnd = bridge.BusEnd, RootAcpiPath = bridge.Path };
        return facts;
    }
}
