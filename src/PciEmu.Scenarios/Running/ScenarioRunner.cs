using PciEmu.Core;
using PciEmu.Firmware.Hvmloader;
using PciEmu.Firmware.SeaBios;
using PciEmu.Os;
using PciEmu.Os.Platform;
using PciEmu.Platform;
using PciEmu.Platform.Machines.Xenfv;
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

    /// <summary>hvmloader's pci_setup result when the scenario ran <c>--firmware hvmloader</c> (-M xenfv).</summary>
    public HvmloaderResult? Hvmloader { get; private set; }
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
        if (!r.FirmwareFailed) r.RunSteps(request.Scenario.Steps);
        return r;
    }

    /// <summary>True when the firmware stopped with SeaBIOS's panic (e.g. out of address space).</summary>
    public bool FirmwareFailed => Firmware is { Outcome.Kind: SeaBiosOutcomeKind.Panic } || Hvmloader is { Failure: not null };

    /// <summary>What the failed firmware printed last (SeaBIOS's panic, hvmloader's assertion).</summary>
    public string? FirmwareFailureMessage => Firmware is { Outcome.Kind: SeaBiosOutcomeKind.Panic } ? Firmware.Outcome.Message : Hvmloader?.Failure;

    private void RunFirmware()
    {
        CheckFirmwareFitsMachine();
        if (_request.Firmware == FirmwareKind.Hvmloader)
        {
            RunHvmloader();
            return;
        }
        if (_request.Firmware != FirmwareKind.SeaBios) return;
        var env = SeaBiosEnvironments.ForMachine(Machine);
        env = _request.Mechanism switch
        {
            MechanismOverride.Cf8Cfc => env with { Ecam = _ => Machine.Cf8 },
            _ => env,
        };
        Firmware = SeaBiosFirmware.Run(env, _request.SeaBiosOptions);
    }

    /// <summary>xenfv boots through hvmloader (Xen's SeaBIOS leaves PCI alone); hvmloader needs Xen's platform.</summary>
    private void CheckFirmwareFitsMachine()
    {
        var xen = Machine.Xen is not null;
        if (xen && _request.Firmware == FirmwareKind.SeaBios)
            throw new TopologyException("--firmware seabios", "-M xenfv: PCI setup is hvmloader's (use --firmware hvmloader)");
        if (!xen && _request.Firmware == FirmwareKind.Hvmloader)
            throw new TopologyException("--firmware hvmloader", "hvmloader needs a Xen HVM guest (-M xenfv)");
    }

    /// <summary>
    /// hvmloader: pci_setup over CF8/CFC with hvm_info and the xenstore keys libxl wrote, then the hand-off the DSDT
    /// reads (ACPI info block) and the RAM after relocation go back to the machine.
    /// </summary>
    private void RunHvmloader()
    {
        var xen = Machine.Xen!;
        var input = new HvmloaderInput
        {
            Version = _request.HvmloaderVersion,
            LowMemPgEnd = xen.Memory.LowMemPgEnd,
            HighMemPgEnd = xen.Memory.HighMemPgEnd,
            MmioHoleSize = xen.Memory.MmioHoleSize,
            AllowMemoryRelocate = xen.Config.EffectiveAllowMemoryRelocate,
            OutB = (port, value) => Machine.Cpu.Out(port, 1, value),
        };
        using (Machine.Cpu.BeginPhase("hvmloader: pci_setup"))
        {
            Hvmloader = HvmloaderFirmware.PciSetup(Machine.Cf8, input);
        }
        var acpi = Hvmloader.AcpiInfo;
        xen.FirmwareDone(new XenAcpiInfo(acpi.PciMin, acpi.PciLen, acpi.PciHiMin, acpi.PciHiLen), Hvmloader.LowMemPgEnd, Hvmloader.HighMemPgEnd);
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
        Kernel = new LinuxEnumerator(KernelAccessor, MachineFacts.For(Machine, KernelAccessor), options)
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
