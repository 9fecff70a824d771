using PciEmu.Scenarios.Firmwares.SeaBios;
using PciEmu.Fabric.FirmwareTables;
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
    public static (Machine Machine, SeaBiosResult Result) Run(ConformanceCase c, SeaBiosOptions? options = null)
    {
        var type = c.Machine == "pc" ? MachineType.Pc : MachineType.Q35;
        var builder = new MachineBuilder().WithType(type).WithRam(c.RamSize).WithCatalog(DevicesCatalog.Instance);
        foreach (var arg in c.DeviceArgs) builder.AddDevice(ConformanceCase.ParseDevice(arg));
        var machine = builder.Build(); // MachineDone includes QEMU's start-up qemu_system_reset
        var env = SeaBiosEnvironments.ForMachine(machine) with { FwCfg = new FwCfgWithTableLoader(machine.FwCfg) };
        return (machine, SeaBiosFirmware.Run(env, options));
    }

}
