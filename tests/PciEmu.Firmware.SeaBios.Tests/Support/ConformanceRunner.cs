using PciEmu.Core;
using PciEmu.Devices;
using PciEmu.Platform;

namespace PciEmu.Firmware.SeaBios.Tests.Support;

/// <summary>Machine.FwCfg plus the ACPI table-loader QEMU always offers (so pm_base moves to 0x600 as recorded).</summary>
public sealed class FwCfgWithTableLoader(IFwCfg inner) : IFwCfg
{
    public const string TableLoader = "etc/table-loader";

    public IReadOnlyList<string> FileNames => inner.FileNames.Contains(TableLoader) ? inner.FileNames : [.. inner.FileNames, TableLoader];

    public bool TryGetFile(string name, out ReadOnlyMemory<byte> data)
    {
        if (inner.TryGetFile(name, out data)) return true;
        if (name != TableLoader) return false;
        data = new byte[1];
        return true;
    }

    public bool TryGetItem(ushort key, out ReadOnlyMemory<byte> data) => inner.TryGetItem(key, out data);
}

/// <summary>Builds the recorded machine on PciEmu.Platform and runs the port against it.</summary>
public static class ConformanceRunner
{
    public static (Machine Machine, SeaBiosResult Result) Run(ConformanceCase c)
    {
        var type = c.Machine == "pc" ? MachineType.Pc : MachineType.Q35;
        var catalog = new ConformanceCatalog();
        var builder = new MachineBuilder().WithType(type).WithRam(c.RamSize).WithCatalog(catalog);
        var requests = c.DeviceArgs.Select(ConformanceCase.ParseDevice).ToArray();
        foreach (var r in requests) builder.AddDevice(r);
        var machine = builder.Build();
        ColdPlugIntoAcpiManagedSlots(machine, catalog, requests);
        var env = SeaBiosEnvironments.ForMachine(machine) with { FwCfg = new FwCfgWithTableLoader(machine.FwCfg) };
        return (machine, SeaBiosFirmware.Run(env));
    }

    /// <summary>
    /// Harness workaround for a platform/devices integration gap: with ACPI bridge hot-plug (q35 7.2) the platform
    /// does not hand cold-plugged children to the PCIe slot model, so pcie_cap_slot_reset would leave the slot
    /// unpowered and the children hidden. Here each child is given to its port (AcpiManaged) and the machine gets
    /// the qemu_system_reset QEMU performs before the firmware runs. Children map to functions by creation order.
    /// </summary>
    private static void ColdPlugIntoAcpiManagedSlots(Machine machine, ConformanceCatalog catalog, IReadOnlyList<DeviceRequest> requests)
    {
        var first = catalog.Created.Count - requests.Count;
        var any = false;
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i].Bus is not { } busName) continue;
            var parent = Array.FindIndex(requests.ToArray(), r => r.Id == busName);
            if (parent < 0 || catalog.Created[first + parent] is not IHotplugSlot slot) continue;
            if (machine.HotplugMechanismFor(busName) != HotplugMechanism.Acpi) continue;
            slot.AcpiManaged = true;
            var devFn = requests[i].Get("addr") is { } addr ? ParseDevFn(addr) : 0;
            slot.PlugChild(devFn, catalog.Created[first + i], hotplugged: false);
            any = true;
        }
        if (any) machine.Reset();
    }

    private static int ParseDevFn(string addr)
    {
        var parts = addr.Split('.');
        var slot = int.Parse(parts[0], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        var fn = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (slot << 3) | fn;
    }
}
