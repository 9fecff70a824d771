using PciEmu.Scenarios.Firmwares.SeaBios;
using PciEmu.Core;
using PciEmu.Firmware.SeaBios;
using PciEmu.Os;
using PciEmu.Scenarios.Running;
using PciEmu.Platform;
using PciEmu.Scenarios.Generation;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Perf;

/// <summary>
/// One generated topology split into the phases ScenarioRunner runs back to back: machine build, SeaBIOS pciinit,
/// then the Linux-like enumerator through the accessor the kernel would use (ECAM on q35 once firmware enabled it).
/// </summary>
public sealed class ScaleCase
{
    private readonly Scenario _scenario;

    public ScaleCase(int functions)
    {
        _scenario = LargeTopology.Build(functions);
    }

    public Machine Machine { get; private set; } = null!;

    /// <summary>Builds a fresh machine (cold-plugged devices, reset) from the parsed scenario.</summary>
    public void Build() => Machine = _scenario.Build(new DevicesCatalog());

    public SeaBiosResult RunFirmware() => SeaBiosFirmware.Run(SeaBiosEnvironments.ForMachine(Machine));

    public LinuxEnumerator RunKernel()
    {
        var accessor = KernelAccessor(Machine);
        var kernel = new LinuxEnumerator(accessor, MachineFacts.For(Machine), new KernelOptions());
        kernel.Boot();
        return kernel;
    }

    /// <summary>ScenarioRunner.KernelAccessor: ECAM where firmware enabled MMCONFIG, else CF8/CFC.</summary>
    public static IConfigAccessor KernelAccessor(Machine machine) => machine.Ecam is { } ecam ? machine.EcamAt(ecam.Base) : machine.Cf8;

    /// <summary>Functions the machine exposes (a walk of the snapshot).</summary>
    public int CountFunctions()
    {
        var n = 0;
        var stack = new Stack<BusSnapshot>();
        stack.Push(Machine.Snapshot().Root);
        while (stack.Count > 0)
        {
            foreach (var f in stack.Pop().Functions)
            {
                n++;
                if (f.Secondary is { } s) stack.Push(s);
            }
        }
        return n;
    }
}
