using PciEmu.Core;
using PciEmu.Platform;
using PciEmu.Platform.Machines.Virt;

namespace PciEmu.Firmware.Edk2.Tests;

/// <summary>The EDK2 port on QEMU virt machines built from the real device models, checked through config space.</summary>
public class Edk2RunTests
{
    private static readonly Bdf Rp1 = new(0, 1, 0);
    private static readonly Bdf Rp2 = new(0, 2, 0);

    private static DeviceRequest Dev(string driver, string? id, string? bus, params (string, string)[] props) =>
        new() { Driver = driver, Id = id, Bus = bus, Properties = props.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)).ToList() };

    private static (Machine M, IConfigAccessor Ecam, Edk2Result R) Run(MachineType type, Edk2Options options, params DeviceRequest[] devices)
    {
        var b = new MachineBuilder().WithType(type).WithRam(QemuValues.GiB).WithCatalog(DevicesCatalog.Instance);
        foreach (var d in devices) b.AddDevice(d);
        var m = b.Build();
        var dt = VirtMachineKind.BoardOf(m)!.DeviceTree;
        var io = dt.Ranges.Single(r => r.Kind == VirtRangeKind.Io);
        var mem32 = dt.Ranges.Single(r => r.Kind == VirtRangeKind.Mem32);
        var mem64 = dt.Ranges.SingleOrDefault(r => r.Kind == VirtRangeKind.Mem64);
        var host = new HostBridgeDescription
        {
            EcamBase = dt.EcamBase, EcamSize = dt.EcamSize, BusStart = dt.BusStart, BusEnd = dt.BusEnd,
            IoBase = io.PciBase, IoSize = io.Size, IoCpuBase = io.CpuBase, Mem32Base = mem32.PciBase, Mem32Size = mem32.Size,
            Mem64Base = mem64.PciBase, Mem64Size = mem64.Size,
        };
        var ecam = m.EcamAt(dt.EcamBase);
        return (m, ecam, Edk2Firmware.Run(ecam, host, options));
    }

    private static (ulong Base, ulong Limit) MemWindow(IConfigAccessor c, Bdf b) =>
        ((ulong)(c.Read16(b, Type1Header.MemoryBase.Offset) & 0xfff0) << 16, ((ulong)(c.Read16(b, Type1Header.MemoryLimit.Offset) & 0xfff0) << 16) | 0xfffff);

    [Fact]
    public void OneRootPort_2026_MatchesTheRecordedLayout()
    {
        var (_, c, r) = Run(VirtMachineTypes.Latest, new Edk2Options(), Dev("pcie-root-port", "rp1", "pcie.0"));
        Assert.True(r.Succeeded);
        Assert.Equal(0x00010100u, c.Read32(Rp1, Type1Header.PrimaryBus.Offset) & 0xffffff);
        Assert.Equal(0x10200000u, c.Read32(Rp1, Type1Header.BaseAddress0.Offset));
        Assert.Equal((0x10000000UL, 0x101fffffUL), MemWindow(c, Rp1));
        // No default I/O padding in 202608: the I/O window stays closed (base > limit).
        Assert.True((c.Read8(Rp1, Type1Header.IoBase.Offset) & 0xf0) > (c.Read8(Rp1, Type1Header.IoLimit.Offset) & 0xf0));
        // StartPciDevices: the PPB gets IO|MEM|BM.
        Assert.Equal(0x7, c.Read16(Rp1, CommonHeader.Command.Offset) & 0x7);
    }

    [Fact]
    public void OneRootPort_2022_OpensTheDefaultIoPaddingAtZero()
    {
        var (_, c, _) = Run(VirtMachineTypes.V7_2, new Edk2Options { Version = Edk2Version.Stable202211 }, Dev("pcie-root-port", "rp1", "pcie.0"));
        Assert.Equal(0, c.Read8(Rp1, Type1Header.IoBase.Offset) & 0xf0);
        Assert.Equal(0, c.Read8(Rp1, Type1Header.IoLimit.Offset) & 0xf0);
    }

    [Fact]
    public void TwoRootPorts_EqualAlignments_ReverseInsertionOrder()
    {
        var (_, c, _) = Run(VirtMachineTypes.Latest, new Edk2Options(),
            Dev("pcie-root-port", "rp1", "pcie.0", ("chassis", "1")), Dev("pcie-root-port", "rp2", "pcie.0", ("chassis", "2")));
        Assert.Equal((0x10000000UL, 0x101fffffUL), MemWindow(c, Rp2));
        Assert.Equal((0x10200000UL, 0x103fffffUL), MemWindow(c, Rp1));
        Assert.Equal(0x10400000u, c.Read32(Rp2, Type1Header.BaseAddress0.Offset));
        Assert.Equal(0x10401000u, c.Read32(Rp1, Type1Header.BaseAddress0.Offset));
    }

    [Fact]
    public void BusReserve_PadsTheSubordinateBus()
    {
        var (_, c, r) = Run(VirtMachineTypes.Latest, new Edk2Options(),
            Dev("pcie-root-port", "rp1", "pcie.0", ("chassis", "1"), ("bus-reserve", "3")), Dev("pcie-root-port", "rp2", "pcie.0", ("chassis", "2")));
        Assert.Equal(0x00040100u, c.Read32(Rp1, Type1Header.PrimaryBus.Offset) & 0xffffff);
        Assert.Equal(0x00050500u, c.Read32(Rp2, Type1Header.PrimaryBus.Offset) & 0xffffff);
        Assert.Equal(5, r.SubordinateBus);
    }

    [Fact]
    public void Pref64Reserve_PlacesTheWindowAboveFourGiB()
    {
        var (_, c, _) = Run(VirtMachineTypes.Latest, new Edk2Options(), Dev("pcie-root-port", "rp1", "pcie.0", ("pref64-reserve", "8M")));
        Assert.Equal(0x80u, c.Read32(Rp1, Type1Header.PrefBaseUpper32.Offset));
        Assert.Equal(0x80u, c.Read32(Rp1, Type1Header.PrefLimitUpper32.Offset));
        Assert.Equal(0x0000, c.Read16(Rp1, Type1Header.PrefMemoryBase.Offset) & 0xfff0);
        Assert.Equal(0x0070, c.Read16(Rp1, Type1Header.PrefMemoryLimit.Offset) & 0xfff0);
    }

    [Fact]
    public void OversizedPadding_IsRejected_AndTheRestIsPlaced()
    {
        var (_, c, r) = Run(VirtMachineTypes.Latest, new Edk2Options(),
            Dev("pcie-root-port", "rp1", "pcie.0", ("chassis", "1"), ("pref64-reserve", "1T")), Dev("pcie-root-port", "rp2", "pcie.0", ("chassis", "2")),
            Dev("pci-testdev", null, "rp2", ("membar", "64M")));
        Assert.True(r.Succeeded);
        Assert.Contains("PciBus: [00|01|00] was rejected due to resource confliction.", r.Log);
        // The test device's 64-bit prefetchable BAR 2 went above 4 GiB.
        Assert.Equal(0x80u, c.Read32(new Bdf(2, 0, 0), Type0Header.BaseAddress3.Offset));
    }

    [Fact]
    public void RunningOutOfBusNumbers_FailsWithoutProgramming()
    {
        var devices = Enumerable.Range(1, 3).Select(i => Dev("pcie-root-port", $"rp{i}", "pcie.0", ("chassis", $"{i}"), ("bus-reserve", "200"))).ToArray();
        var (_, c, r) = Run(VirtMachineTypes.Latest, new Edk2Options(), devices);
        Assert.False(r.Succeeded);
        Assert.Equal(0u, c.Read32(Rp1, Type1Header.BaseAddress0.Offset));
    }

    [Theory]
    [InlineData(Edk2Version.Stable202608, "PciBus: Discovered PPB @ [00|01|00]  [VID = 0x1B36, DID = 0x000C]")]
    [InlineData(Edk2Version.Stable202211, "PciBus: Discovered PPB @ [00|01|00]")]
    public void DiscoveredLine_PerRelease(Edk2Version version, string line)
    {
        var (_, _, r) = Run(VirtMachineTypes.Latest, new Edk2Options { Version = version }, Dev("pcie-root-port", "rp1", "pcie.0"));
        Assert.Equal(3, r.Log.Count(l => l == line));
    }

    [Fact]
    public void ReleaseBuild_PrintsNothing()
    {
        var (_, _, r) = Run(VirtMachineTypes.Latest, new Edk2Options { DebugLog = false }, Dev("pcie-root-port", "rp1", "pcie.0"));
        Assert.Empty(r.Log);
        Assert.True(r.Succeeded);
    }
}
