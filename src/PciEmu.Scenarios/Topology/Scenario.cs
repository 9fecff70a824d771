using PciEmu.Platform;

namespace PciEmu.Scenarios.Topology;

/// <summary>A step after boot (device_add, device_del; other steps are added by their own records).</summary>
public abstract record ScenarioStep(string Token)
{
    /// <summary>"file:line" when the step came from a scenario file.</summary>
    public string? Location { get; init; }
}

/// <summary>HMP device_add DRIVER,prop=value,...</summary>
public sealed record DeviceAddStep(DeviceRequest Device, string Token) : ScenarioStep(Token);

/// <summary>HMP device_del ID.</summary>
public sealed record DeviceDelStep(string Id, string Token) : ScenarioStep(Token);

/// <summary>A cold-plugged -device with where it was written.</summary>
public sealed record DeviceLine(DeviceRequest Device, string Token)
{
    public string? Location { get; init; }
}

/// <summary>
/// A parsed topology: the machine line, memory, globals, cold-plugged devices and later steps. Build it into a
/// <see cref="Machine"/> with a device catalog; errors come back as <see cref="TopologyException"/>.
/// </summary>
public sealed record Scenario
{
    public MachineType Machine { get; init; } = MachineType.Pc;
    public ulong RamSize { get; init; } = MachineOptions.DefaultRamSize;
    public ulong? MaxRamSize { get; init; }
    public ulong MemorySlots { get; init; }
    public ulong MaxRamBelow4G { get; init; }

    /// <summary>-nodefaults: no default VGA and NIC (the recorded cases all use it).</summary>
    public bool NoDefaults { get; init; }

    /// <summary>-cpu MODEL,… (x86); null: qemu64.</summary>
    public X86Cpu? Cpu { get; init; }

    /// <summary>-accel kvm.</summary>
    public bool Kvm { get; init; }

    /// <summary>-fw_cfg name=…,string=… items.</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> FwCfgFiles { get; init; } = [];

    /// <summary>--xen KEY=VALUE settings (xl.cfg keys; only with -M xenfv).</summary>
    public PciEmu.Platform.Machines.Xenfv.XlConfig? Xen { get; init; }

    public IReadOnlyList<GlobalProperty> Globals { get; init; } = [];
    public IReadOnlyList<DeviceLine> Devices { get; init; } = [];
    public IReadOnlyList<ScenarioStep> Steps { get; init; } = [];

    /// <summary>Warnings QEMU prints while parsing (short-form booleans, ...).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public MachineOptions ToOptions(IDeviceCatalog catalog) => new()
    {
        Type = Machine,
        RamSize = RamSize,
        MaxRamSize = MaxRamSize,
        MemorySlots = MemorySlots,
        MaxRamBelow4G = MaxRamBelow4G,
        Globals = Globals,
        Catalog = catalog,
        BoardConfig = Xen,
        Cpu = Cpu,
        FwCfgFiles = FwCfgFiles,
    };

    /// <summary>Display devices that suppress the default VGA (default_vga = 0 when one is given).</summary>
    private static readonly HashSet<string> DisplayDrivers = new(StringComparer.Ordinal)
    {
        "VGA", "cirrus-vga", "qxl-vga", "virtio-vga", "bochs-display", "secondary-vga", "vmware-svga", "ati-vga",
    };

    /// <summary>Creates the machine, its defaults, every -device in order, then machine-done.</summary>
    public Machine Build(IDeviceCatalog catalog)
    {
        if (Xen is not null && Machine.Kind is not PciEmu.Platform.Machines.Xenfv.XenfvMachineKind) throw new TopologyException("--xen", "xl.cfg settings need -M xenfv");
        Machine machine;
        try
        {
            machine = new MachineBuilder(ToOptions(catalog)).BuildUnfinished();
        }
        catch (QemuException e)
        {
            throw new TopologyException(string.Empty, e.Message, e);
        }
        try
        {
            if (!NoDefaults) AddDefaultDevices(machine, catalog);
        }
        catch (QemuException e)
        {
            // e.g. a -global naming a property the default NIC lacks: QEMU prints "can't apply global ..." and exits.
            throw new TopologyException(string.Empty, e.Message, e);
        }
        foreach (var line in Devices)
        {
            try
            {
                machine.AddDevice(line.Device);
            }
            catch (QemuException e)
            {
                throw new TopologyException(line.Token, e.Message, e) { Location = line.Location };
            }
        }
        machine.MachineDone();
        return machine;
    }

    /// <summary>pc_vga_init + pc_nic_init: std VGA, then the machine's default NIC (e1000 on pc, e1000e on q35).</summary>
    private void AddDefaultDevices(Machine machine, IDeviceCatalog catalog)
    {
        // A board whose launcher names the defaults itself (xenfv: libxl with -nodefaults, xl's VGA and NIC).
        if (machine.Kind.LauncherDevices(machine) is { } launcher)
        {
            foreach (var d in launcher) machine.AddDevice(d);
            return;
        }
        // arm virt: no default display (DefaultDisplay null); its default NIC is virtio-net-pci.
        if (machine.Kind.DefaultDisplay is { } display && !Devices.Any(d => DisplayDrivers.Contains(d.Device.Driver)))
            TryDefault(machine, catalog, display);
        TryDefault(machine, catalog, Machine.Kind.DefaultNic);
    }

    private static void TryDefault(Machine machine, IDeviceCatalog catalog, string driver)
    {
        if (catalog.Find(driver) is null)
        {
            machine.Warn($"default device {driver} is not modelled; behaving as with -nodefaults for it");
            return;
        }
        machine.AddDevice(new DeviceRequest { Driver = driver });
    }

    /// <summary>Runs a device_add / device_del step, turning QEMU errors into <see cref="TopologyException"/>.</summary>
    public static void Apply(Machine machine, ScenarioStep step)
    {
        try
        {
            switch (step)
            {
                case DeviceAddStep add: machine.DeviceAdd(add.Device); break;
                case DeviceDelStep del: machine.DeviceDel(del.Id); break;
                default: throw new InvalidOperationException($"step {step.GetType().Name} is run by its own driver");
            }
        }
        catch (QemuException e)
        {
            throw new TopologyException(step.Token, e.Message, e) { Location = step.Location };
        }
    }
}
