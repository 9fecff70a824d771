using PciEmu.Core;
using PciEmu.Os.Resources;
using PciEmu.Os.Tests.Support;
using PciEmu.Os.Views;

namespace PciEmu.Os.Tests;

/// <summary>Assignment order, window choice, hot-plug retries and the resource primitives.</summary>
public sealed class AssignmentTests
{
    private const ulong MiB = 1024 * 1024;
    private static readonly Bdf Port = new(0, 1, 0);
    private static readonly Bdf Child = new(1, 0, 0);

    [Fact]
    public void PrefWindow64_IsPlacedAbove4G_BecauseAcpiWindowsCarryNoMem64()
    {
        var e = new SyntheticMachine().HostBridge().RootPort(Port, 1).Boot();
        Assert.Contains("pci 0000:00:01.0: bridge window [mem 0x100000000-0x1001fffff 64bit pref]: assigned", e.Log.Lines);
        Assert.Contains("pci 0000:00:01.0: bridge window [mem 0x40000000-0x401fffff]: assigned", e.Log.Lines);
    }

    [Fact]
    public void SortedAssignment_LargestAlignmentFirst_IoMixedIn()
    {
        var e = new SyntheticMachine().HostBridge().RootPort(Port, 1, hotplug: false).TestDev(Child, 2 * MiB).Boot();
        var lines = e.Log.Lines.Where(l => l.StartsWith("pci 0000:01:00.0", StringComparison.Ordinal) && l.EndsWith("assigned", StringComparison.Ordinal)).ToArray();
        Assert.Equal(
        [
            "pci 0000:01:00.0: BAR 2 [mem 0x100000000-0x1001fffff 64bit pref]: assigned",
            "pci 0000:01:00.0: BAR 0 [mem 0x40000000-0x40000fff]: assigned",
            "pci 0000:01:00.0: BAR 1 [io  0x1000-0x10ff]: assigned",
        ], lines);
    }

    [Fact]
    public void Pciehp_TooSmallWindow_ReleasesAndGrowsPortWindow_OnSecondTry()
    {
        var m = new SyntheticMachine().HostBridge().RootPort(Port, 1);
        var e = m.Boot();
        m.TestDev(Child, 512 * MiB);
        var v = e.DeviceAdded(HotplugDriver.Pciehp, Port);
        Assert.True(v.RetrySeen);
        Assert.True(v.AllBarsAssigned);
        Assert.Contains("PCI: No. 2 try to assign unassigned res", v.Log);
        Assert.Contains("pcieport 0000:00:01.0: resource 15 [mem 0x100000000-0x1001fffff 64bit pref] released", v.Log);
        Assert.Contains("pci 0000:01:00.0: BAR 2 [mem 0x100000000-0x11fffffff 64bit pref]: assigned", v.Log);
    }

    [Fact]
    public void DeviceRemoved_ReleasesResources_SoTheNextAddReusesThem()
    {
        var m = new SyntheticMachine().HostBridge().RootPort(Port, 1);
        var e = m.Boot();
        m.TestDev(Child, 1 * MiB);
        var first = e.DeviceAdded(HotplugDriver.Pciehp, Port);
        Assert.True(first.AllBarsAssigned);
        e.DeviceRemoved(Child);
        Assert.DoesNotContain("0000:01:00.0", e.ProcIomem(), StringComparison.Ordinal);
        var second = e.DeviceAdded(HotplugDriver.Pciehp, Port);
        Assert.Equal(first.Devices[0].Bars.Select(b => b.Start), second.Devices[0].Bars.Select(b => b.Start));
    }

    [Fact]
    public void Acpiphp_TooSmallWindow_FailsWithoutRetry()
    {
        var m = new SyntheticMachine().HostBridge().RootPort(Port, 1);
        var e = m.Boot(nativeHotplug: false);
        m.TestDev(Child, 512 * MiB);
        var v = e.DeviceAdded(HotplugDriver.Acpiphp, Port, 0);
        Assert.False(v.RetrySeen);
        Assert.False(v.AllBarsAssigned);
        Assert.Equal(
        [
            "pci 0000:01:00.0: [1b36:0005] type 00 class 0x00ff00 conventional PCI endpoint",
            "pci 0000:01:00.0: BAR 0 [mem 0x00000000-0x00000fff]",
            "pci 0000:01:00.0: BAR 1 [io  0x0000-0x00ff]",
            "pci 0000:01:00.0: BAR 2 [mem 0x00000000-0x1fffffff 64bit pref]",
            "pci 0000:01:00.0: BAR 2 [mem size 0x20000000 64bit pref]: can't assign; no space",
            "pci 0000:01:00.0: BAR 2 [mem size 0x20000000 64bit pref]: failed to assign",
            "pci 0000:01:00.0: BAR 0 [mem 0x40000000-0x40000fff]: assigned",
            "pci 0000:01:00.0: BAR 1 [io  0x1000-0x10ff]: assigned",
        ], v.Log);
        var bar2 = v.Devices.Single().Bars.Single(b => b.Index == 2);
        Assert.False(bar2.Assigned);
        Assert.Equal(512 * MiB, bar2.Size);
    }

    [Fact]
    public void Allocate_IoAboveIsaAliases_BumpsToNext1K()
    {
        var root = new Resource("io", 0, 0xffff, ResFlags.Io);
        ResourceTree.RequestConflict(root, new Resource("a", 0xc000, 0xc0ff, ResFlags.Io));
        var n = new Resource("b", 0, 0xff, ResFlags.Io);
        static ulong Isa(Resource avail, ulong size, ulong align) => (avail.Start & 0x300) != 0 ? (avail.Start + 0x3ff) & ~0x3ffUL : avail.Start;
        Assert.True(ResourceTree.Allocate(root, n, 0x100, 0xc000, 0xcfff, 0x100, Isa));
        Assert.Equal(0xc400UL, n.Start);
    }

    [Fact]
    public void Allocate_AssignedResource_GrowsInPlace_OrMovesWhenBlocked()
    {
        static ulong Plain(Resource avail, ulong size, ulong align) => avail.Start;
        var root = new Resource("w", 0x10000, 0x1ffff, ResFlags.Mem);
        var a = new Resource("a", 0x10000, 0x10fff, ResFlags.Mem);
        ResourceTree.RequestConflict(root, a);
        Assert.True(ResourceTree.Allocate(root, a, 0x2000, 0, ulong.MaxValue, 0x1000, Plain));
        Assert.Equal((0x10000UL, 0x11fffUL), (a.Start, a.End));
        ResourceTree.RequestConflict(root, new Resource("b", 0x12000, 0x12fff, ResFlags.Mem));
        Assert.True(ResourceTree.Allocate(root, a, 0x4000, 0, ulong.MaxValue, 0x1000, Plain));
        Assert.Equal((0x13000UL, 0x16fffUL), (a.Start, a.End));
        Assert.Same(root, a.Parent);
    }

    [Fact]
    public void ResourceFormat_MatchesPercentPR()
    {
        Assert.Equal("[io  0x0000-0x0cf7 window]", ResourceFormat.Format(0, 0xcf7, ResFlags.Io | ResFlags.Window));
        Assert.Equal("[mem size 0x20000000 64bit pref]", ResourceFormat.Format(0, 0x1fffffff, ResFlags.Mem | ResFlags.Mem64 | ResFlags.Prefetch | ResFlags.Unset));
        Assert.Equal("[io  0x03f6]", ResourceFormat.Format(0x3f6, 0x3f6, ResFlags.Io));
        Assert.Equal("[bus 03-06]", ResourceFormat.Format(3, 6, ResFlags.Bus));
        Assert.Equal("[mem 0x100000000-0x8ffffffff window]", ResourceFormat.Format(0x100000000, 0x8ffffffff, ResFlags.Mem | ResFlags.Window));
    }

    [Fact]
    public void ProcViews_IndentChildrenAndWidenIoToFourDigits()
    {
        var root = new Resource("PCI IO", 0, 0xffff, ResFlags.Io);
        var w = new Resource("PCI Bus 0000:00", 0xd00, 0xffff, ResFlags.Io);
        ResourceTree.RequestConflict(root, w);
        ResourceTree.RequestConflict(w, new Resource("0000:00:1f.2", 0xc040, 0xc05f, ResFlags.Io));
        Assert.Equal("0d00-ffff : PCI Bus 0000:00\n  c040-c05f : 0000:00:1f.2\n", ProcViews.Render(root));
    }

    [Fact]
    public void Realloc_On_LogsDepthAndTryCount()
    {
        var e = new SyntheticMachine().HostBridge().RootPort(Port, 1).Boot(new KernelOptions { Realloc = ReallocMode.UserEnabled });
        Assert.Contains("pci_bus 0000:00: max bus depth: 1 pci_try_num: 2", e.Log.Lines);
    }
}

/// <summary>pci=realloc at boot: a BAR that does not fit the firmware window makes the root-bus loop release and retry.</summary>
public sealed class ReallocTests
{
    private const ulong MiB = 1024 * 1024;
    private static readonly Bdf Port = new(0, 1, 0);
    private static readonly Bdf Child = new(1, 0, 0);

    private static SyntheticMachine FirmwareWithSmallPrefWindow() =>
        new SyntheticMachine().HostBridge()
            .RootPort(Port, 1, new SyntheticMachine.PortState
            {
                Bar0 = 0xfe800000,
                Mem = (0xfe600000, 0xfe7fffff),
                Pref = (0xfea00000, 0xfebfffff),
                Command = (ushort)(CommandBits.Memory | CommandBits.BusMaster),
            })
            .TestDev(Child, 512 * MiB);

    [Fact]
    public void ReallocOn_ReleasesTheLeafWindow_AndAssignsOnTheSecondTry()
    {
        var e = FirmwareWithSmallPrefWindow().Boot(new KernelOptions { Realloc = ReallocMode.UserEnabled });
        var log = e.Log.Lines;
        Assert.Contains("pci_bus 0000:00: max bus depth: 1 pci_try_num: 2", log);
        Assert.Contains("pci_bus 0000:00: No. 2 try to assign unassigned res", log);
        Assert.Contains("pci 0000:00:01.0: resource 15 [mem 0xfea00000-0xfebfffff 64bit pref] released", log);
        Assert.Contains("pci 0000:01:00.0: BAR 2 [mem 0x100000000-0x11fffffff 64bit pref]: assigned", log);
    }

    [Fact]
    public void ReallocUndefined_LeavesTheBarUnassigned_AndSuggestsRealloc()
    {
        var e = FirmwareWithSmallPrefWindow().Boot();
        Assert.Contains("pci 0000:01:00.0: BAR 2 [mem size 0x20000000 64bit pref]: failed to assign", e.Log.Lines);
        Assert.Contains("pci_bus 0000:00: Some PCI device resources are unassigned, try booting with pci=realloc", e.Log.Lines);
    }
}

/// <summary>pci_bus_distribute_available_resources: a hot-plug bridge hot-added below a hot-plug port gets the spare space.</summary>
public sealed class DistributeTests
{
    private const ulong MiB = 1024 * 1024;
    private static readonly Bdf Port = new(0, 1, 0);

    [Fact]
    public void Pciehp_HotAddedDownstreamPort_GetsThePortsWholePrefWindow()
    {
        var m = new SyntheticMachine().HostBridge().RootPort(Port, 1, new SyntheticMachine.PortState
        {
            Subordinate = 4,
            Bar0 = 0xfe800000,
            Mem = (0xfe000000, 0xfe3fffff),
            Pref = (0x100000000, 0x13fffffff),
            Command = (ushort)(CommandBits.Memory | CommandBits.BusMaster),
            SlotCapsQemu = true,
        });
        var e = m.Boot();
        m.RootPort(new Bdf(1, 0, 0), 0, new SyntheticMachine.PortState { Unnumbered = true, PcieFlags = SyntheticMachine.DownstreamPortFlags });
        var v = e.DeviceAdded(HotplugDriver.Pciehp, Port);
        Assert.Contains("pci 0000:01:00.0: bridge window [mem 0x100000000-0x13fffffff 64bit pref]: assigned", v.Log);
        Assert.DoesNotContain(v.Log, l => l.Contains("no space", StringComparison.Ordinal));
        // The non-pref share is the port's 4 MiB minus the new port's BAR 0, aligned down to 1 MiB and then re-aligned
        // at the window start: 0x201000, exactly as pci_bus_distribute_available_resources computes it.
        Assert.Contains("pci 0000:01:00.0: bridge window [mem 0xfe000000-0xfe200fff]: assigned", v.Log);
    }
}
