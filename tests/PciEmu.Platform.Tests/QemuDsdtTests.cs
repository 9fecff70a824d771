using PciEmu.Fabric.FirmwareTables;
using PciEmu.Platform.Machines.X86;

namespace PciEmu.Platform.Tests;

/// <summary>build_append_pci_bus_devices (QEMU 7.2) as <see cref="QemuDsdt.Describe"/> models it.</summary>
public sealed class QemuDsdtTests
{
    private const string Root = QemuX86Tables.Pci0Path;

    private static QemuPciFunction Endpoint(int slot, int fn = 0) => new(slot * 8 + fn, false, true, false, false, null);

    private static QemuPciFunction Bridge(int slot, QemuPciBus secondary, int fn = 0) => new(slot * 8 + fn, true, false, false, false, secondary);

    private static QemuPciFunction HostBridge() => new(0, false, false, false, false, null);

    [Fact]
    public void ExpressBus_FirstEmptySlotAboveZero_EndsTheDescription()
    {
        // x3130-upstream's internal bus: downstream ports at 0 and 1, slot 2 empty, an endpoint at 5 is never described.
        var switchBus = new QemuPciBus(4, true, [Bridge(0, new QemuPciBus(5, true, [])), Bridge(1, new QemuPciBus(6, true, [])), Endpoint(5)]);
        var root = new QemuPciBus(0, true, [HostBridge(), Bridge(3, new QemuPciBus(3, true, [Bridge(0, switchBus)]))]);
        var acpi = QemuDsdt.Describe(root, Root, isPc: false, rootBsel: false, bridgeHotplug: true);

        var rootPort = acpi.Objects.Single(o => o.Device == 3);
        Assert.False(rootPort.Ejectable);
        var upstream = Assert.Single(rootPort.Children!.Objects);
        Assert.Equal(@"\_SB_.PCI0.S18_.S00_", upstream.Path);
        var internalBus = upstream.Children!.Objects;
        Assert.Equal([0, 1], internalBus.Select(o => o.Device));
        Assert.DoesNotContain(internalBus, o => o.Ejectable);
        var downstream = internalBus[1].Children!.Objects;
        Assert.Equal(@"\_SB_.PCI0.S18_.S00_.S08_.S00_", Assert.Single(downstream).Path);
        Assert.True(downstream[0].Ejectable);
    }

    [Fact]
    public void ConventionalBus_EveryEmptySlotIsAHotplugSlot_BridgesAreNot()
    {
        var bridgeBus = new QemuPciBus(1, false, [Endpoint(3), Bridge(5, new QemuPciBus(2, false, []))]);
        var root = new QemuPciBus(0, false, [HostBridge(), new QemuPciFunction(8, false, false, true, false, null), Bridge(0xf, bridgeBus)]);
        var acpi = QemuDsdt.Describe(root, Root, isPc: true, rootBsel: true, bridgeHotplug: true);

        Assert.Equal(29, acpi.Objects.Count(o => o.Ejectable)); // 32 slots minus the host bridge (0), the ISA bridge (1: skipped, not empty) and the bridge (0xf)
        Assert.Equal(@"\_SB_.PCI0.PX13", acpi.Objects[0].Path);
        var inner = acpi.Objects.Single(o => o.Device == 0xf).Children!.Objects;
        Assert.Equal(31, inner.Count(o => o.Ejectable));
        Assert.Equal(@"\_SB_.PCI0.S78_.S28_", inner.Single(o => o.Device == 5).Path);
    }

    [Fact]
    public void WithoutBridgeHotplug_BridgesAreDescribedButNotTheirChildren()
    {
        var root = new QemuPciBus(0, true, [HostBridge(), Bridge(2, new QemuPciBus(1, false, [Endpoint(1)]))]);
        var acpi = QemuDsdt.Describe(root, Root, isPc: false, rootBsel: false, bridgeHotplug: false);

        var bridge = acpi.Objects.Single(o => o.Device == 2);
        Assert.Null(bridge.Children);
        Assert.DoesNotContain(acpi.Objects, o => o.Ejectable);
    }
}
