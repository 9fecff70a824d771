using PciEmu.Fabric.FirmwareTables;
using PciEmu.Os;
using PciEmu.Platform;
using PciEmu.Scenarios.Running;

namespace PciEmu.Scenarios.Tests.Running;

/// <summary>
/// A machine kind defined here, outside the platform, registered at run time: the registry, the topology parser, the
/// machine, the firmware-table seam and the kernel all take it without any platform file knowing it.
/// </summary>
public sealed class MachineKindRegistryTests
{
    /// <summary>A toy board: one conventional root bus with an i440FX host bridge, all RAM low, its own _CRS.</summary>
    private sealed class ToyMachineKind : MachineKind
    {
        public static ToyMachineKind Instance { get; } = new();
        public const ulong MemWindowStart = 0x80000000;
        public const ulong MemWindowEnd = 0xbfffffff;

        public override string Name => "toy-board";
        public override string Description => "Toy board registered by a test";
        public override string RootBusName => "pci.0";
        public override bool RootBusIsExpress => false;
        public override bool RootBusTakesAutomaticId => true;
        public override IReadOnlyList<DefaultDevice> DefaultDevices { get; } = [new("i440FX", 0, 0, false)];

        public override MemoryLayout ComputeMemory(MachineOptions options, GlobalSet globals) => MemoryLayout.Compute(options, options.RamSize);

        public override FirmwareTables PublishTables(Machine machine) => new()
        {
            Acpi = new AcpiTables
            {
                HostBridges =
                [
                    new HostBridgeTable
                    {
                        Path = @"\_SB_.TOY0",
                        Windows = [new(WindowSpace.Io, 0x1000, 0xffff), new(WindowSpace.Memory, MemWindowStart, MemWindowEnd)],
                    },
                ],
            },
            PciGapStart = MemWindowStart,
        };
    }

    private static ScenarioRunner Run(params string[] args)
    {
        MachineKinds.Register(ToyMachineKind.Instance);
        var settings = new RunSettings();
        var scenario = ScenarioOptions.CreateParser(settings).ParseArguments(args);
        return ScenarioRunner.Run(new RunRequest { Scenario = scenario, Firmware = settings.Firmware, Kernel = settings.Kernel });
    }

    [Fact]
    public void ToyKind_IsListedByMachineHelp_InQemusWording()
    {
        MachineKinds.Register(ToyMachineKind.Instance);
        var lines = MachineKinds.Help().Split('\n');
        Assert.Equal("Supported machines are:", lines[0]);
        Assert.Contains($"{"toy-board",-20} Toy board registered by a test", lines);
        Assert.Contains($"{"q35",-20} Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-7.2)", lines);
    }

    [Fact]
    public void ToyKind_BuildsFromMinusM_AndTheKernelReadsItsTables()
    {
        var r = Run("-M", "toy-board", "-m", "256M", "-nodefaults", "-device", "pci-testdev,addr=3", "--kernel", "linux");
        Assert.Same(ToyMachineKind.Instance, r.Machine.Kind);
        Assert.Equal("pci.0", r.Machine.RootBusName);
        var log = r.BootKernelLog;
        Assert.Contains("pci_bus 0000:00: root bus resource [io  0x1000-0xffff window]", log);
        Assert.Contains("pci_bus 0000:00: root bus resource [mem 0x80000000-0xbfffffff window]", log);
        // The kernel assigned the test device's memory BAR inside the toy's window (nothing else offered one).
        Assert.Contains(log, l => l.StartsWith("pci 0000:00:03.0: BAR 0 [mem 0x8", StringComparison.Ordinal) && l.Contains("assigned", StringComparison.Ordinal));
    }

    [Fact]
    public void FirmwareHelp_ListsTheRegisteredFirmware()
    {
        var help = FirmwareKinds.Help();
        Assert.StartsWith("Supported firmware is:\n", help, StringComparison.Ordinal);
        Assert.Contains("seabios ", help, StringComparison.Ordinal);
        Assert.Same(FirmwareKind.SeaBios, FirmwareKinds.Find("seabios"));
    }
}
