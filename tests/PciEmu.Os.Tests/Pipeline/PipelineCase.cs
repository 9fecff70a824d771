using System.Text.Json;
using PciEmu.Core;
using PciEmu.Firmware.SeaBios;
using PciEmu.Os.Platform;
using PciEmu.Platform;
using SbCase = PciEmu.Firmware.SeaBios.Tests.Support.ConformanceCase;
using PciEmu.Devices;
using PciEmu.Firmware.SeaBios.Tests.Support;

namespace PciEmu.Os.Tests.Pipeline;

/// <summary>
/// The whole chain for one recorded Linux case: the machine (PciEmu.Platform + PciEmu.Devices), the SeaBIOS port,
/// then the enumerator over the machine's own accessor (ECAM on q35, CF8/CFC on pc), then QEMU's device_add.
/// </summary>
public sealed class PipelineCase
{
    /// <summary>A recorded Linux case (linux.json): machine, memory, device args, kernel series, hot-plug mode.</summary>
    public PipelineCase(string name)
    {
        Name = name;
        var dir = Path.Combine(Support.SharedPaths.Conformance!, name);
        Linux = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "linux.json"))).RootElement;
        var machine = Linux.GetProperty("machine").GetString()!;
        var args = Linux.GetProperty("device_args").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Native = Linux.GetProperty("qemu_argv").EnumerateArray().Any(a => a.GetString()!.Contains("acpi-pci-hotplug-with-bridge-support=off", StringComparison.Ordinal));
        var version = Linux.TryGetProperty("kernel_version", out var kv) && kv.ValueKind == JsonValueKind.String && kv.GetString() == "6.12"
            ? KernelVersion.Linux6_12 : KernelVersion.Linux6_1;
        (Machine, Firmware, Accessor, Facts, Enumerator) = Start(new SbCase(name, dir, machine, SbCase.ParseSize(Linux.GetProperty("memory").GetString()!), args, FirmwareOnly: false), version);
    }

    /// <summary>Any recorded pc/q35 topology (firmware-only cases too), booted with the default kernel.</summary>
    public PipelineCase(SbCase sb)
    {
        Name = sb.Name;
        (Machine, Firmware, Accessor, Facts, Enumerator) = Start(sb, KernelVersion.Linux6_12);
    }

    private (Machine, SeaBiosResult, IConfigAccessor, PlatformFacts, LinuxEnumerator) Start(SbCase sb, KernelVersion version)
    {
        var (machine, firmware) = Run(sb);
        var accessor = machine.Ecam is { } ecam ? machine.EcamAt(ecam.Base) : machine.Cf8;
        var kind = sb.Machine == "pc" ? QemuX86Machine.Pc : QemuX86Machine.Q35;
        var facts = QemuX86Facts.Build(kind, sb.RamSize, accessor, acpiPciHotplug: !Native);
        return (machine, firmware, accessor, facts, new LinuxEnumerator(accessor, facts, new KernelOptions { Version = version }));
    }

    public string Name { get; }
    public JsonElement Linux { get; }
    public bool Native { get; }
    public Machine Machine { get; }
    public SeaBiosResult Firmware { get; }
    public IConfigAccessor Accessor { get; }
    public PlatformFacts Facts { get; }
    public LinuxEnumerator Enumerator { get; }

    private ConformanceCatalog Catalog { get; } = new();
    private List<DeviceRequest> Requests { get; } = [];

    /// <summary>ConformanceRunner.Run with this case's own catalog, so the harness can reach the created functions.</summary>
    private (Machine, SeaBiosResult) Run(SbCase c)
    {
        var type = c.Machine == "pc" ? MachineType.Pc : MachineType.Q35;
        var builder = new MachineBuilder().WithType(type).WithRam(c.RamSize).WithCatalog(Catalog);
        if (Native) builder.WithGlobal(new GlobalProperty("ICH9-LPC", "acpi-pci-hotplug-with-bridge-support", "off"));
        Requests.AddRange(c.DeviceArgs.Select(SbCase.ParseDevice));
        foreach (var r in Requests) builder.AddDevice(r);
        var machine = builder.Build();
        _firstCreated = Catalog.Created.Count - Requests.Count;
        var any = false;
        for (var i = 0; i < Requests.Count; i++)
        {
            if (Requests[i].Bus is { } busName && PlugIntoAcpiManagedSlot(machine, busName, Created(Requests, i), hotplugged: false, Requests[i])) any = true;
        }
        if (any) machine.Reset();
        var env = new SeaBiosEnvironment
        {
            Cf8Cfc = machine.Cf8,
            Ecam = machine.EcamAt,
            FwCfg = new FwCfgWithTableLoader(machine.FwCfg),
            Ports = new CpuPortIo(machine.Cpu),
            Phases = new CpuPhaseSink(machine.Cpu),
        };
        return (machine, SeaBiosFirmware.Run(env));
    }

    private int _firstCreated;

    private PciFunction Created(IReadOnlyList<DeviceRequest> requests, int i) => Catalog.Created[_firstCreated + i];

    /// <summary>
    /// Harness workaround for the platform/devices gap the SeaBIOS harness also bridges: under ACPI hot-plug the
    /// platform does not hand a root port's child to the port's slot model, so the slot stays unpowered (QEMU 7.2:
    /// pcie_cap_slot_enable_power from acpi_pcihp_device_plug_cb) and the child invisible.
    /// </summary>
    private bool PlugIntoAcpiManagedSlot(Machine machine, string busName, PciFunction child, bool hotplugged, DeviceRequest request)
    {
        var parentIndex = Requests.FindIndex(r => r.Id == busName);
        if (parentIndex < 0 || Created(Requests, parentIndex) is not IHotplugSlot slot) return false;
        if (machine.HotplugMechanismFor(busName) != HotplugMechanism.Acpi) return false;
        slot.AcpiManaged = true;
        var devFn = request.Get("addr") is { } addr ? Convert.ToInt32(addr.Split('.')[0], 16) << 3 : 0;
        slot.PlugChild(devFn, child, hotplugged);
        return true;
    }

    /// <summary>HMP device_add of the recorded spec, then the hot-plug driver Linux would run for that slot.</summary>
    public HotplugVerdict? HotplugFirst()
    {
        var hps = Linux.GetProperty("hotplug");
        if (hps.GetArrayLength() == 0) return null;
        var request = SbCase.ParseDevice(hps[0].GetProperty("spec").GetString()!);
        var placed = Machine.DeviceAdd(request);
        if (request.Bus is { } bus) PlugIntoAcpiManagedSlot(Machine, bus, Catalog.Created[^1], hotplugged: true, request);
        var parentBdf = FindBridgeOfBus(Machine.Snapshot().Root, placed.BusName, 0);
        return Enumerator.DeviceAdded(Enumerator.DriverFor(parentBdf), parentBdf, placed.Slot);
    }

    /// <summary>The BDF of the bridge whose secondary bus has the qdev name (null for the root bus).</summary>
    private static Bdf? FindBridgeOfBus(BusSnapshot bus, string busName, int busNumber)
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
