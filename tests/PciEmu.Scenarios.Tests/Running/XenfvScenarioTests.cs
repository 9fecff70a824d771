using PciEmu.Platform;
using PciEmu.Platform.Machines.Xenfv;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Tests.Running;

/// <summary>
/// -M xenfv end to end: the device set libxl/QEMU build, hvmloader's hole feeding the _CRS Linux prints, and seed 004's
/// pci-attach failure and its mmio_hole fix (../shared/reference/xen-hvmloader-pci.md §1, §3, §4).
/// </summary>
public class XenfvScenarioTests
{
    private static ScenarioRunner Run(string args)
    {
        var settings = new RunSettings();
        var scenario = ScenarioOptions.CreateParser(settings).ParseArguments(args.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return ScenarioRunner.Run(new RunRequest { Scenario = scenario, Firmware = settings.Firmware, Kernel = settings.Kernel });
    }

    private static PciEmu.Firmware.Hvmloader.HvmloaderResult Hvmloader(ScenarioRunner r) =>
        Assert.IsType<PciEmu.Firmware.Hvmloader.HvmloaderResult>(r.FirmwareRun?.Result);

    private static string[] Ids(ScenarioRunner r) =>
        [.. r.Machine.Snapshot().Root.Functions.Select(f => $"{f.Slot:x2}.{f.Function} {f.VendorId:x4}:{f.DeviceId:x4}")];

    private static string[] RootWindows(ScenarioRunner r) =>
        [.. r.BootKernelLog.Where(l => l.Contains("root bus resource [mem", StringComparison.Ordinal))];

    [Fact]
    public void Xenfv_BusZero_IsThePcChipset_ThenXenPlatform_ThenXlsCirrusAndRtl8139()
    {
        var r = Run("-M xenfv");
        Assert.Equal(["00.0 8086:1237", "01.0 8086:7000", "01.1 8086:7010", "01.3 8086:7113", "02.0 5853:0001", "03.0 1013:00b8", "04.0 10ec:8139"], Ids(r));
        Assert.Equal("xenfv-3.1", r.Machine.Type.Name);
    }

    [Fact]
    public void XlKeys_UsbStdVgaPlatformAndNodefaults_ChangeTheDeviceSet()
    {
        Assert.Equal(["00.0 8086:1237", "01.0 8086:7000", "01.1 8086:7010", "01.2 8086:7020", "01.3 8086:7113", "02.0 5853:0001", "03.0 1234:1111", "04.0 8086:100e"],
            Ids(Run("-M xenfv --xen usb=1 --xen stdvga=1 --xen vif=e1000")));
        Assert.Equal(["00.0 8086:1237", "01.0 8086:7000", "01.1 8086:7010", "01.3 8086:7113", "02.0 1013:00b8"], Ids(Run("-M xenfv --xen xen_platform_pci=0 --xen vif=none")));
        Assert.Equal(["00.0 8086:1237", "01.0 8086:7000", "01.1 8086:7010", "01.3 8086:7113", "02.0 5853:0001"], Ids(Run("-M xenfv -nodefaults")));
        var std = Run("-M xenfv --xen stdvga=1").Machine.Snapshot().Root.Functions.Single(f => f.DeviceId == 0x1111);
        Assert.Equal(0xff000008u, std.MaskLong(0x10) | 0x8); // videoram 16 MiB -> vgamem_mb=16
    }

    [Theory]
    [InlineData(8192u, 0xf0000u, 0x20f800u)] // the published Xen 4.13 E820: RAM to 0xf0000000 and 4 GiB..0x20f800000
    [InlineData(2048u, 0x7f800u, 0u)]        // the published Xen 4.14 E820: RAM to 0x7f800000
    public void LibxlRamLayout_SubtractsVideoRam_AndSplitsAtTheHole(ulong memoryMiB, uint low, uint high)
    {
        var l = XenMemoryLayout.Compute(memoryMiB, memoryMiB, 8, null);
        Assert.Equal(low, l.LowMemPgEnd);
        Assert.Equal(high, l.HighMemPgEnd);
        Assert.Equal(0xc0000u, XenMemoryLayout.Compute(8192, 8192, 8, 1024).LowMemPgEnd);
    }

    [Fact]
    public void Seed004_DefaultDevices_KeepTheHoleAt0xf0000000()
    {
        var r = Run("-M xenfv -m 2048 --firmware hvmloader --kernel linux");
        Assert.Equal(["pci_bus 0000:00: root bus resource [mem 0x000a0000-0x000bffff window]", "pci_bus 0000:00: root bus resource [mem 0xf0000000-0xfbffffff window]"], RootWindows(r));
        Assert.Contains("acpiphp: Slot [31] registered", r.BootKernelLog);
    }

    [Theory]
    [InlineData("4.5")]
    [InlineData("4.20")]
    public void Seed004_A256MiBBarAtBoot_LowersTheHoleTo0xe0000000(string version)
    {
        var r = Run($"-M xenfv -m 2048 -device pci-testdev,membar=256M --firmware hvmloader,version={version} --kernel linux");
        Assert.Equal("pci_bus 0000:00: root bus resource [mem 0xe0000000-0xfbffffff window]", RootWindows(r)[^1]);
    }

    [Fact]
    public void Seed004_PciAttachAfterBoot_HasNoSpace_AndMmioHole1024FixesIt()
    {
        var fails = Run("-M xenfv -m 2048 --firmware hvmloader --kernel linux --device-add pci-testdev,membar=256M,id=gpu");
        var step = fails.Steps.Single();
        Assert.False(step.Passed);
        Assert.Contains("pci 0000:00:05.0: BAR 2 [mem size 0x10000000 64bit pref]: can't assign; no space", step.Verdict!.Log);

        var ok = Run("-M xenfv -m 2048 --xen mmio_hole=1024 --firmware hvmloader --kernel linux --device-add pci-testdev,membar=256M,id=gpu");
        Assert.Equal("pci_bus 0000:00: root bus resource [mem 0xc0000000-0xfbffffff window]", RootWindows(ok)[^1]);
        Assert.True(ok.Steps.Single().Passed);
        Assert.Contains("pci 0000:00:05.0: BAR 2 [mem 0xd0000000-0xdfffffff 64bit pref]: assigned", ok.Steps.Single().Verdict!.Log);
    }

    [Fact]
    public void QemuXenBrake_With4GiB_RelocatesTheBarHigh_AndLinuxGetsA64BitWindow()
    {
        var r = Run("-M xenfv -m 4096 -device pci-testdev,membar=256M --firmware hvmloader --kernel linux");
        Assert.Contains("Low MMIO hole not large enough for all devices, relocating some BARs to 64-bit", Hvmloader(r).Log);
        Assert.Equal(["pci_bus 0000:00: root bus resource [mem 0x000a0000-0x000bffff window]", "pci_bus 0000:00: root bus resource [mem 0xf0000000-0xfbffffff window]",
            "pci_bus 0000:00: root bus resource [mem 0x110000000-0x11fffffff window]"], RootWindows(r));
    }

    [Fact]
    public void AllowMemoryRelocate_MovesRamAbove4GiB_AndTheGuestSeesTheLoweredHole()
    {
        var r = Run("-M xenfv -m 4096 --xen allow-memory-relocate=1 -device pci-testdev,membar=256M --firmware hvmloader --kernel linux");
        Assert.Contains("Relocating guest memory for lowmem MMIO space enabled", Hvmloader(r).Log);
        Assert.Contains(Hvmloader(r).Log, l => l.StartsWith("Relocating 0x", StringComparison.Ordinal));
        Assert.Equal(0xe0000000UL, (ulong)Hvmloader(r).LowMemPgEnd << 12);
        Assert.Equal(0xe0000000UL, r.Tables!.PciGapStart); // the relocated RAM reaches the kernel through the tables
        Assert.Equal("pci_bus 0000:00: root bus resource [mem 0xe0000000-0xfbffffff window]", RootWindows(r)[^1]);
    }

    [Fact]
    public void Registries_ListXenfvAndHvmloader_AndHvmloadersAcpiInfoIsWhatTheKernelRead()
    {
        Assert.Contains("xenfv                Xen Fully-virtualized PC (alias of xenfv-3.1)\n", MachineKinds.Help(), StringComparison.Ordinal);
        Assert.Contains("xenfv-3.1            Xen Fully-virtualized PC\n", MachineKinds.Help(), StringComparison.Ordinal);
        Assert.Contains("\nhvmloader ", FirmwareKinds.Help(), StringComparison.Ordinal);
        Assert.IsType<XenfvMachineKind>(MachineType.Find("xenfv-3.1")?.Kind);
        var r = Run("-M xenfv -m 4096 -device pci-testdev,membar=256M --firmware hvmloader --kernel linux");
        var acpi = Hvmloader(r).AcpiInfo;
        var windows = r.Tables!.Acpi!.HostBridges[0].Windows;
        Assert.Contains(new PciEmu.Fabric.FirmwareTables.AddressWindow(PciEmu.Fabric.FirmwareTables.WindowSpace.Memory, acpi.PciMin, (ulong)acpi.PciMin + acpi.PciLen - 1), windows);
        Assert.Contains(new PciEmu.Fabric.FirmwareTables.AddressWindow(PciEmu.Fabric.FirmwareTables.WindowSpace.Memory, acpi.PciHiMin, acpi.PciHiMin + acpi.PciHiLen - 1), windows);
        Assert.Equal(31, r.Tables.Acpi.HotplugSlots.Count);
    }

    [Theory]
    [InlineData("-M xenfv --xen mmio_hole=100", "ERROR: invalid value 100 for \"mmio_hole\"")]
    [InlineData("-M xenfv --xen mmio_hole=4096", "ERROR: invalid value 4096 for \"mmio_hole\"")]
    [InlineData("-M xenfv --xen nosuch=1", "--xen: unknown key 'nosuch'")]
    [InlineData("-M xenfv --xen device_model_version=qemu-xen-traditional", "not modelled")]
    [InlineData("-M pc --xen usb=1", "need -M xenfv")]
    [InlineData("-M xenfv --firmware seabios", "use --firmware hvmloader")]
    [InlineData("-M pc --firmware hvmloader", "needs a Xen HVM guest")]
    [InlineData("-M xenfv --firmware hvmloader,version=4.4", "unknown option 'version=4.4'")]
    public void BadXenInput_IsATopologyError(string args, string message)
    {
        var e = Assert.Throws<TopologyException>(() => Run(args));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpectLog_FailsWhenTheLineIsMissing()
    {
        var settings = new RunSettings();
        var scenario = ScenarioOptions.CreateParser(settings).ParseText("-M xenfv\nfirmware hvmloader\nkernel linux\nexpect kernel-log [mem 0xe0000000-0xfbffffff window]\nexpect firmware-log PCI-ISA link 3 routed to IRQ5\n");
        var r = ScenarioRunner.Run(new RunRequest { Scenario = scenario, Firmware = settings.Firmware, Kernel = settings.Kernel });
        Assert.Equal([false, true], r.Steps.Select(s => s.Passed == true));
        Assert.IsType<MachineType>(r.Machine.Type);
    }
}

public class XenfvRobustnessTests
{
    [Theory]
    [InlineData("-M xenfv -m 64T")]
    [InlineData("-M xenfv --xen memory=0 --firmware hvmloader --kernel linux")]
    [InlineData("-M xenfv --xen memory=4 --xen videoram=8 --firmware hvmloader --kernel linux")]
    public void OddMemory_IsAnErrorOrABoot_NeverACrash(string args)
    {
        var settings = new RunSettings();
        try
        {
            var scenario = ScenarioOptions.CreateParser(settings).ParseArguments(args.Split(' '));
            var r = ScenarioRunner.Run(new RunRequest { Scenario = scenario, Firmware = settings.Firmware, Kernel = settings.Kernel });
            Assert.NotNull(XenfvMachineKind.StateOf(r.Machine));
        }
        catch (TopologyException e)
        {
            Assert.Contains("hvm_info", e.Message, StringComparison.Ordinal);
        }
    }
}
