using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Os.Platform;

/// <summary>Hands the enumerator what a booted PciEmu.Platform machine's ACPI tables say (the CLI and scenario seam).</summary>
public static class MachineFacts
{
    /// <summary>The accessor Linux uses: MMCONFIG/ECAM when the MCH maps it (q35), else CF8/CFC (pc).</summary>
    public static IConfigAccessor AccessorFor(Machine machine) => machine.Ecam is { } ecam ? machine.EcamAt(ecam.Base) : machine.Cf8;

    /// <summary><see cref="QemuX86Facts.Build"/> for the machine's type, RAM and ACPI hot-plug mode.</summary>
    public static PlatformFacts For(Machine machine, IConfigAccessor accessor)
    {
        // xenfv: hvmloader's DSDT, not QEMU's (Machines/Xenfv).
        if (machine.Xen is { } xen) return XenHvmFacts.Build(xen);
        var kind = machine.Type.Kind == MachineKind.Pc ? QemuX86Machine.Pc : QemuX86Machine.Q35;
        var facts = QemuX86Facts.Build(kind, machine.Memory.RamSize, accessor, machine.Acpi.AcpiBridgeHotplug, machine.Acpi.AcpiRootHotplug);
        return facts with { OscGrantsPcieHotplug = machine.Acpi.OscGrantsNativeHotplug };
    }

    /// <summary>An enumerator over the machine, ready to <see cref="LinuxEnumerator.Boot"/> after the firmware ran.</summary>
    public static LinuxEnumerator Enumerator(Machine machine, KernelOptions? options = null)
    {
        var accessor = AccessorFor(machine);
        return new LinuxEnumerator(accessor, For(machine, accessor), options) { AcpiEjector = AcpiEjector(machine) };
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
