using PciEmu.Core;
using PciEmu.Os.Resources;
using PciEmu.Os.Tests.Support;

namespace PciEmu.Os.Tests;

/// <summary>Bridge window sizing (pbus_size_io / pbus_size_mem / calculate_mem_align) on synthetic buses.</summary>
public sealed class SizingTests
{
    private const ulong MiB = 1024 * 1024;
    private static readonly Bdf Port = new(0, 1, 0);
    private static readonly Bdf Child = new(1, 0, 0);

    [Fact]
    public void CalculateMemAlign_4MPlus2M_AlignsWindowToHalfTheLargestBar()
    {
        var aligns = new ulong[24];
        aligns[2] = 4 * MiB;
        aligns[1] = 2 * MiB;
        Assert.Equal(2 * MiB, SetupBusSize.CalculateMemAlign(aligns, 2));
    }

    [Fact]
    public void CalculateMemAlign_LoneBar_AlignsToItsSize()
    {
        var aligns = new ulong[24];
        aligns[2] = 4 * MiB;
        Assert.Equal(4 * MiB, SetupBusSize.CalculateMemAlign(aligns, 2));
    }

    [Fact]
    public void EmptyHotplugPort_GetsOptionalMinimumWindows_AsAddSize()
    {
        var e = new SyntheticMachine().HostBridge().RootPort(Port, 1).Boot();
        Assert.Contains("pci 0000:00:01.0: bridge window [io  0x1000-0x0fff] to [bus 01] add_size 1000", e.Log.Lines);
        Assert.Contains("pci 0000:00:01.0: bridge window [mem 0x00100000-0x000fffff 64bit pref] to [bus 01] add_size 200000 add_align 100000", e.Log.Lines);
        Assert.Contains("pci 0000:00:01.0: bridge window [mem 0x00100000-0x000fffff] to [bus 01] add_size 200000 add_align 100000", e.Log.Lines);
    }

    [Fact]
    public void HotplugReservation_IsAFloorNotAnAddition()
    {
        // A 1 MiB child needs a 1 MiB pref window; the 2 MiB reservation raises it to 2 MiB, not 3 MiB.
        var e = new SyntheticMachine().HostBridge().RootPort(Port, 1).TestDev(Child, 1 * MiB).Boot();
        Assert.Contains("pci 0000:00:01.0: bridge window [mem 0x00100000-0x001fffff 64bit pref] to [bus 01] add_size 100000 add_align 100000", e.Log.Lines);
        Assert.Contains("pci 0000:00:01.0: bridge window [mem 0x100000000-0x1001fffff 64bit pref]: assigned", e.Log.Lines);
    }

    [Fact]
    public void NonHotplugPort_GetsNoReservation_AndUnusedIoStaysDisabled()
    {
        var e = new SyntheticMachine().HostBridge().RootPort(Port, 1, hotplug: false).TestDev(Child, 4 * MiB).Boot();
        Assert.DoesNotContain(e.Log.Lines, l => l.Contains("add_size", StringComparison.Ordinal));
        Assert.Contains("pci 0000:00:01.0: bridge window [mem 0x100000000-0x1003fffff 64bit pref]: assigned", e.Log.Lines);
    }

    [Fact]
    public void HpMmioPrefSize_RaisesThePrefFloor()
    {
        var e = new SyntheticMachine().HostBridge().RootPort(Port, 1).Boot(new KernelOptions { HpMmioPrefSize = 64 * MiB });
        Assert.Contains("pci 0000:00:01.0: bridge window [mem 0x00100000-0x000fffff 64bit pref] to [bus 01] add_size 4000000 add_align 100000", e.Log.Lines);
    }

    [Fact]
    public void KernelOptions_HpMemSize_SetsBothMemoryFloors()
    {
        var o = new KernelOptions().WithHpMemSize(8 * MiB);
        Assert.Equal(8 * MiB, o.HpMmioSize);
        Assert.Equal(8 * MiB, o.HpMmioPrefSize);
        Assert.Equal(KernelOptions.DefaultHotplugIoSize, o.HpIoSize);
    }
}

/// <summary>6.12's relaxed alignment: a child window that cannot fit its strict alignment in the parent's assigned window.</summary>
public sealed class RelaxedAlignmentTests
{
    private const ulong MiB = 1024 * 1024;

    private static LinuxEnumerator Boot(KernelVersion version)
    {
        var m = new SyntheticMachine().HostBridge()
            .RootPort(new Bdf(0, 1, 0), 1, new SyntheticMachine.PortState
            {
                Hotplug = false,
                Subordinate = 2,
                Bar0 = 0xfe800000,
                Mem = (0xfe000000, 0xfe1fffff),
                Pref = (0x100100000, 0x1002fffff),
                Command = (ushort)(CommandBits.Memory | CommandBits.BusMaster),
            })
            .RootPort(new Bdf(1, 0, 0), 2, hotplug: false)
            .TestDev(new Bdf(2, 0, 0), 2 * MiB);
        var e = new LinuxEnumerator(m.Accessor, m.Facts(), new KernelOptions { Version = version });
        e.Boot();
        return e;
    }

    [Fact]
    public void Linux612_LogsTheUpstreamShortfall_AndRelaxedRules()
    {
        var log = Boot(KernelVersion.Linux6_12).Log.Lines;
        Assert.Contains("pci 0000:00:01.0: Assigned bridge window [mem 0x100100000-0x1002fffff 64bit pref] to [bus 01-02] cannot fit 0x200000 required for 0000:01:00.0 bridging to [bus 02]", log);
        // 6.12 prints the window before resource_set_range, i.e. still unsized.
        Assert.Contains("pci 0000:01:00.0: bridge window [mem 0x00000000 64bit pref] to [bus 02] requires relaxed alignment rules", log);
        // A 64-bit pref window that misses the pref window falls back to the non-pref one (__pci_assign_resource step 3).
        Assert.Contains("pci 0000:01:00.0: bridge window [mem 0xfe000000-0xfe1fffff 64bit pref]: assigned", log);
    }

    [Fact]
    public void Linux61_HasNoRelaxedRules() =>
        Assert.DoesNotContain(Boot(KernelVersion.Linux6_1).Log.Lines, l => l.Contains("relaxed", StringComparison.Ordinal));
}
