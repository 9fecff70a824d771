using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;
using PciEmu.Os;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Running;

/// <summary>Wires a booted machine to the Linux-like enumerator: its accessor, its firmware tables, ACPI eject (the scenario seam).</summary>
public static class MachineFacts
{
    /// <summary>The accessor Linux uses: MMCONFIG/ECAM at the tables' MCFG allocation (q35 after firmware), else CF8/CFC (pc).</summary>
    public static IConfigAccessor AccessorFor(Machine machine) => AccessorFor(machine, machine.PublishTables());

    /// <summary>pci_mmcfg_late_init: ECAM at the first MCFG allocation, else the conf1 ports.</summary>
    public static IConfigAccessor AccessorFor(Machine machine, FirmwareTables tables) =>
        tables.Acpi?.Mcfg is [var first, ..] ? machine.EcamAt(first.Base) : machine.Cf8;

    /// <summary>
    /// What the enumerator learns from the machine's firmware tables (published host-side, after the firmware ran),
    /// changed by the firmware that ran where it changes them.
    /// </summary>
    public static PlatformFacts For(Machine machine, FirmwareKind? firmware = null, FirmwareRun? run = null)
    {
        var tables = machine.PublishTables();
        if (firmware is not null) tables = firmware.Finish(tables, run);
        return FirmwareTablesReader.Read(tables);
    }

    /// <summary>An enumerator over the machine, ready to <see cref="LinuxEnumerator.Boot"/> after the firmware ran.</summary>
    public static LinuxEnumerator Enumerator(Machine machine, KernelOptions? options = null)
    {
        var accessor = AccessorFor(machine);
        return new LinuxEnumerator(accessor, For(machine), options) { AcpiEjector = AcpiEjector(machine) };
    }

    /// <summary>
    /// HMP device_del followed by the kernel's side: finds the device's bus and slot, asks the machine to unplug
    /// (QemuException when QEMU refuses), then runs <see cref="LinuxEnumerator.DeviceRemoveRequested"/> with the
    /// driver Linux uses for that slot. The enumerator needs <see cref="LinuxEnumerator.AcpiEjector"/> for acpiphp
    /// slots to be ejected in the machine.
    /// </summary>
    public static HotplugRemoval DeviceDel(Machine machine, LinuxEnumerator linux, string id)
    {
        var (busName, slot) = Locate(machine.Snapshot().Root, id) ?? throw new QemuException($"Device '{id}' not found");
        var parent = ParentOf(machine.Snapshot().Root, busName, 0);
        machine.DeviceDel(id);
        return linux.DeviceRemoveRequested(linux.DriverFor(parent), parent, slot);
    }

    private const int DevFnSlotShift = 3;

    private static (string Bus, int Slot)? Locate(BusSnapshot bus, string id)
    {
        foreach (var f in bus.Functions)
        {
            if (f.QdevId == id) return (bus.Name, f.DevFn >> DevFnSlotShift);
            if (f.Secondary is { } sec && Locate(sec, id) is { } found) return found;
        }
        return null;
    }

    /// <summary>The Bdf of the bridge whose secondary bus has the qdev name (null for the root bus).</summary>
    private static Bdf? ParentOf(BusSnapshot bus, string busName, int busNumber)
    {
        foreach (var f in bus.Functions)
        {
            if (f.Secondary is not { } sec) continue;
            if (sec.Name == busName || f.QdevId == busName) return Bdf.FromDevFn(busNumber, f.DevFn);
            if (ParentOf(sec, busName, sec.Number) is { } found) return found;
        }
        return null;
    }

    /// <summary>_EJ0 of QEMU 7.2's DSDT on this machine: PCEJ(BSEL, _SUN) writes BNUM then B0EJ of the PCI hot-plug block.</summary>
    public static IAcpiEjector AcpiEjector(Machine machine) => new MachineAcpiEjector(machine);

    private sealed class MachineAcpiEjector(Machine machine) : IAcpiEjector
    {
        private const int EjectOffset = 0x08;
        private const int SelectOffset = 0x10;
        private const int DwordWidth = 4;

        /// <summary>PCEJ: BNUM = bsel; B0EJ = 1 &lt;&lt; slot (no-op when the bus has no selector or no hot-plug block).</summary>
        public void Eject(int busNumber, int slot)
        {
            if (machine.Acpi.AcpiHotplugIoBase is not { } io) return;
            if (BusName(machine.Snapshot().Root, busNumber) is not { } name || machine.BselOf(name) is not { } bsel) return;
            machine.Cpu.Out((ushort)(io + SelectOffset), DwordWidth, (uint)bsel);
            machine.Cpu.Out((ushort)(io + EjectOffset), DwordWidth, 1u << slot);
        }

        private static string? BusName(BusSnapshot bus, int number)
        {
            if (bus.Number == number) return bus.Name;
            foreach (var f in bus.Functions)
            {
                if (f.Secondary is { } sec && BusName(sec, number) is { } n) return n;
            }
            return null;
        }
    }
}
