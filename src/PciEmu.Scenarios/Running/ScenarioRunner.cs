using PciEmu.Core;
using PciEmu.Firmware.SeaBios;
using PciEmu.Os;
using PciEmu.Os.Platform;
using PciEmu.Platform;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Running;

/// <summary>
/// Runs a scenario the way a VM boots: machine reset, firmware (SeaBIOS port) through the machine's accessors and
/// fw_cfg, the Linux-like enumerator through the accessor the kernel would use (ECAM from MCFG on q35, CF8/CFC on
/// pc), then the steps in order (device_add / device_del with the hot-plug driver Linux runs for that slot).
/// </summary>
public sealed class ScenarioRunner
{
    private readonly RunRequest _request;
    private readonly List<StepResult> _steps = [];

    private ScenarioRunner(RunRequest request, Machine machine)
    {
        _request = request;
        Machine = machine;
    }

    public Machine Machine { get; }
    public SeaBiosResult? Firmware { get; private set; }

    /// <summary>The EDK2 run (arm virt with <c>--firmware edk2</c>).</summary>
    public PciEmu.Firmware.Edk2.Edk2Result? Edk2 { get; private set; }
    public LinuxEnumerator? Kernel { get; private set; }
    public IReadOnlyList<StepResult> Steps => _steps;

    /// <summary>The kernel log lines printed at boot (before any step).</summary>
    public IReadOnlyList<string> BootKernelLog { get; private set; } = [];

    /// <summary>Builds the machine (TopologyException on bad input) and boots it; steps run with <see cref="RunSteps"/>.</summary>
    public static ScenarioRunner Boot(RunRequest request)
    {
        var catalog = request.Catalog ?? new DevicesCatalog();
        var machine = request.Scenario.Build(catalog);
        machine.Cpu.Cost = request.Cost;
        machine.Cpu.Trace = request.Trace?.Invoke(machine);
        var runner = new ScenarioRunner(request, machine);
        runner.RunFirmware();
        runner.RunKernel();
        return runner;
    }

    /// <summary>Runs Boot and then every step of the scenario.</summary>
    public static ScenarioRunner Run(RunRequest request)
    {
        var r = Boot(request);
        if (r.Firmware is not { Outcome.Kind: SeaBiosOutcomeKind.Panic }) r.RunSteps(request.Scenario.Steps);
        return r;
    }

    /// <summary>True when the firmware stopped with SeaBIOS's panic (e.g. out of address space).</summary>
    public bool FirmwareFailed => Firmware is { Outcome.Kind: SeaBiosOutcomeKind.Panic };

    private void RunFirmware()
    {
        if (_request.Firmware == FirmwareKind.Edk2)
        {
            RunEdk2();
            return;
        }
        if (_request.Firmware != FirmwareKind.SeaBios) return;
        if (Machine.Virt is not null) throw new TopologyException("--firmware", "firmware seabios: SeaBIOS does not run on the arm virt machine (use --firmware edk2)");
        var env = SeaBiosEnvironments.ForMachine(Machine);
        env = _request.Mechanism switch
        {
            MechanismOverride.Cf8Cfc => env with { Ecam = _ => Machine.Cf8 },
            _ => env,
        };
        Firmware = SeaBiosFirmware.Run(env, _request.SeaBiosOptions);
    }

    /// <summary>
    /// ArmVirtQemu: the host bridge from the device tree QEMU generated (reg, bus-range, ranges), config cycles through
    /// that ECAM window. On pc/q35 (no device tree) EDK2 is refused: OVMF is not modelled.
    /// </summary>
    private void RunEdk2()
    {
        if (Machine.Virt is not { } board)
            throw new TopologyException("--firmware", "firmware edk2: only the arm virt machine is modelled (OVMF on pc/q35 is not)");
        var dt = board.DeviceTree;
        var io = dt.Ranges.First(r => r.Kind == PciEmu.Platform.Machines.Virt.VirtRangeKind.Io);
        var mem32 = dt.Ranges.First(r => r.Kind == PciEmu.Platform.Machines.Virt.VirtRangeKind.Mem32);
        var mem64 = dt.Ranges.FirstOrDefault(r => r.Kind == PciEmu.Platform.Machines.Virt.VirtRangeKind.Mem64);
        var host = new PciEmu.Firmware.Edk2.HostBridgeDescription
        {
            EcamBase = dt.EcamBase, EcamSize = dt.EcamSize, BusStart = dt.BusStart, BusEnd = dt.BusEnd,
            IoBase = io.PciBase, IoSize = io.Size, IoCpuBase = io.CpuBase,
            Mem32Base = mem32.PciBase, Mem32Size = mem32.Size,
            Mem64Base = mem64.PciBase, Mem64Size = mem64.Size,
        };
        using (Machine.Cpu.BeginPhase("edk2: PciBusDxe"))
        {
            Edk2 = PciEmu.Firmware.Edk2.Edk2Firmware.Run(Machine.EcamAt(dt.EcamBase), host, _request.Edk2Options);
        }
    }

    /// <summary>The accessor the guest kernel uses: ECAM where firmware enabled MMCONFIG (MCFG), else CF8/CFC.</summary>
    public IConfigAccessor KernelAccessor => _request.Mechanism switch
    {
        MechanismOverride.Cf8Cfc => Machine.Cf8,
        _ => Machine.Ecam is { } ecam ? Machine.EcamAt(ecam.Base) : Machine.Cf8,
    };

    private void RunKernel()
    {
        if (_request.Kernel is not { } options || FirmwareFailed) return;
        Kernel = new LinuxEnumerator(KernelAccessor, MachineFacts.For(Machine, KernelAccessor, options.Version), options)
        {
            AcpiEjector = MachineFacts.AcpiEjector(Machine),
        };
        using (Machine.Cpu.BeginPhase("linux: boot"))
        {
            Kernel.Boot();
        }
        BootKernelLog = Kernel.Log.Lines.ToArray();
    }

    /// <summary>Runs steps in order; a step that QEMU rejects throws <see cref="TopologyException"/>.</summary>
    public void RunSteps(IEnumerable<ScenarioStep> steps)
    {
        foreach (var step in steps) _steps.Add(RunStep(step));
    }

    private StepResult RunStep(ScenarioStep step)
    {
        switch (step)
        {
            case DeviceAddStep add:
                return DeviceAdd(add);
            case DeviceDelStep del:
                return DeviceDel(del);
            default:
                if (step is IRunnableStep runnable) return runnable.Run(this);
                throw new InvalidOperationException($"no driver for step {step.GetType().Name}");
        }
    }

    /// <summary>QMP device_del; with a kernel, the guest's hot-plug driver handles the removal (eject / power off).</summary>
    private StepResult DeviceDel(DeviceDelStep del)
    {
        if (Kernel is null)
        {
            Scenario.Apply(Machine, del);
            return new StepResult(del, $"device_del {del.Id}: unplug requested (no kernel)");
        }
        HotplugRemoval removal;
        try
        {
            using (Machine.Cpu.BeginPhase("linux: hot-unplug"))
            {
                removal = MachineFacts.DeviceDel(Machine, Kernel, del.Id);
            }
        }
        catch (QemuException e)
        {
            throw new TopologyException(del.Token, e.Message, e) { Location = del.Location };
        }
        var removed = removal.Removed.Count == 0 ? "nothing removed" : "removed " + string.Join(", ", removal.Removed);
        return new StepResult(del, $"device_del {del.Id}: {removed}") { Output = removal.Log };
    }

    private StepResult DeviceAdd(DeviceAddStep add)
    {
        PlacedDevice placed;
        try
        {
            placed = Machine.DeviceAdd(add.Device);
        }
        catch (QemuException e)
        {
            throw new TopologyException(add.Token, e.Message, e) { Location = add.Location };
        }
        var where = $"{placed.BusName} slot {placed.Slot}";
        if (Kernel is null) return new StepResult(add, $"device_add {add.Device.Id ?? add.Device.Driver}: plugged at {where} (no kernel)");
        var parent = FindBridgeOfBus(Machine.Snapshot().Root, placed.BusName, 0);
        using (Machine.Cpu.BeginPhase("linux: hotplug"))
        {
            var verdict = Kernel.DeviceAdded(Kernel.DriverFor(parent), parent, placed.Slot);
            var ok = verdict.AllBarsAssigned;
            return new StepResult(add, $"device_add {add.Device.Id ?? add.Device.Driver} at {where}: {(ok ? "ok" : "fails")}") { Verdict = verdict, Passed = ok };
        }
    }

    /// <summary>The Bdf of the bridge whose secondary bus has the qdev name (null for the root bus).</summary>
    public static Bdf? FindBridgeOfBus(BusSnapshot bus, string busName, int busNumber)
    {
        foreach (var f in bus.Functions)
        {
            if (f.Secondary is not { } sec) continue;
            if (sec.Name == busName || f.QdevId == busName) return Bdf.FromDevFn(busNumber, f.DevFn);
            if (FindBridgeOfBus(sec, busName, sec.Number) is { } found) return found;
        }
        return null;
    }
}

/// <summary>A step that knows how to run itself against a booted scenario (setpci, expectations).</summary>
public interface IRunnableStep
{
    StepResult Run(ScenarioRunner runner);
}
