using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;
using PciEmu.Firmware.SeaBios;
using PciEmu.Os;
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
    /// <summary>The firmware kind that ran ("seabios", "none").</summary>
    public string FirmwareName => _request.Firmware.Name;

    /// <summary>What the firmware did (null when none ran).</summary>
    public FirmwareRun? FirmwareRun { get; private set; }

    /// <summary>The SeaBIOS port's own result, when SeaBIOS ran.</summary>
    public SeaBiosResult? Firmware => FirmwareRun?.Result as SeaBiosResult;

    /// <summary>The EDK2 port's own result (arm virt with <c>--firmware edk2</c>).</summary>
    public PciEmu.Firmware.Edk2.Edk2Result? Edk2 => FirmwareRun?.Result as PciEmu.Firmware.Edk2.Edk2Result
        ?? (FirmwareRun?.Result as PciEmu.Firmware.Edk2.OvmfResult)?.Pci;
    public LinuxEnumerator? Kernel { get; private set; }
    public IReadOnlyList<StepResult> Steps => _steps;

    /// <summary>The functions config space showed after boot (before any step).</summary>
    public int BootFunctions { get; private set; }

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
        runner.BootFunctions = RunSummary.CountVisible(machine.Snapshot().Root);
        return runner;
    }

    /// <summary>Runs Boot and then every step of the scenario.</summary>
    public static ScenarioRunner Run(RunRequest request)
    {
        var r = Boot(request);
        if (!r.FirmwareFailed) r.RunSteps(request.Scenario.Steps);
        return r;
    }

    /// <summary>True when the firmware stopped the machine: SeaBIOS's panic (e.g. out of address space) or hang (its
    /// stack overflowed in a bus-numbering loop), hvmloader's assertion.</summary>
    public bool FirmwareFailed => FirmwareRun is { Failed: true };

    /// <summary>What the failed firmware printed last (SeaBIOS's panic, hvmloader's assertion).</summary>
    public string? FirmwareFailureMessage => FirmwareRun is { Failed: true } run ? run.FailureMessage : null;

    /// <summary>The tables the kernel read at boot (the machine's, as the firmware left and changed them).</summary>
    public FirmwareTables? Tables { get; private set; }

    private void RunFirmware()
    {
        CheckFirmwareFitsMachine();
        FirmwareRun = _request.Firmware.Run(Machine, _request);
    }

    /// <summary>A board whose PCI setup belongs to one firmware (xenfv: hvmloader) refuses another that would do it.</summary>
    private void CheckFirmwareFitsMachine()
    {
        if (Machine.Kind.PciFirmware is not { } owner || _request.Firmware == FirmwareKind.None || _request.Firmware.Name == owner) return;
        throw new TopologyException($"--firmware {_request.Firmware.Name}", $"-M {Machine.Kind.Name}: PCI setup is {owner}'s (use --firmware {owner})");
    }

    /// <summary>The accessor the guest kernel uses: ECAM at the MCFG allocation the tables publish, else CF8/CFC.</summary>
    public IConfigAccessor KernelAccessor => _request.Mechanism switch
    {
        MechanismOverride.Cf8Cfc => Machine.Cf8,
        _ => MachineFacts.AccessorFor(Machine, Tables ?? Machine.PublishTables()),
    };

    private void RunKernel()
    {
        if (_request.Kernel is not { } options || FirmwareFailed) return;
        Tables = _request.Firmware.Finish(Machine.PublishTables(), FirmwareRun);
        Kernel = new LinuxEnumerator(KernelAccessor, FirmwareTablesReader.Read(Tables, options.Version), options)
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
        if (parent is { } p && !Kernel.HasDevice(p))
        {
            // The slot's bridge is not in the kernel's tree (e.g. no bus number was left for it): no driver sees the event.
            var none = new HotplugVerdict([], []);
            return new StepResult(add, $"device_add {add.Device.Id ?? add.Device.Driver} at {where}: fails (the kernel has no device {p}, so no driver handles the slot)") { Verdict = none, Passed = false };
        }
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
