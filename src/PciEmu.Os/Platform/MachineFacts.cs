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
        var kind = machine.Type.Kind == MachineKind.Pc ? QemuX86Machine.Pc : QemuX86Machine.Q35;
        var acpiHotplug = machine.Acpi.AcpiBridgeHotplug || machine.Acpi.AcpiRootHotplug;
        var facts = QemuX86Facts.Build(kind, machine.Memory.RamSize, accessor, acpiHotplug);
        return facts with { OscGrantsPcieHotplug = machine.Acpi.OscGrantsNativeHotplug };
    }

    /// <summary>An enumerator over the machine, ready to <see cref="LinuxEnumerator.Boot"/> after the firmware ran.</summary>
    public static LinuxEnumerator Enumerator(Machine machine, KernelOptions? options = null)
    {
        var accessor = AccessorFor(machine);
        return new LinuxEnumerator(accessor, For(machine, accessor), options);
    }
}
