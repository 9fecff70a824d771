using PciEmu.Core;
using PciEmu.Fabric;
using PciEmu.Platform;
using PciEmu.Platform.Tests.Fakes;

namespace PciEmu.Platform.Tests;

public class MachineTests
{
    private static Machine Build(MachineType type, params DeviceRequest[] devices)
    {
        var b = new MachineBuilder().WithType(type).WithRam(QemuValues.GiB).WithCatalog(new FakeCatalog());
        foreach (var d in devices) b.AddDevice(d);
        return b.Build();
    }

    private static DeviceRequest Dev(string driver, string? id = null, string? bus = null, params (string, string)[] props) =>
        new() { Driver = driver, Id = id, Bus = bus, Properties = props.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)).ToList() };

    [Fact]
    public void Pc_HasItsNodefaultsDevices_ReadThroughCf8()
    {
        var m = Build(MachineType.Pc);
        Assert.Equal(0x12378086u, m.Cf8.Read32(new Bdf(0, 0, 0), 0));
        Assert.Equal(0x70008086u, m.Cf8.Read32(new Bdf(0, 1, 0), 0));
        Assert.Equal(0x70108086u, m.Cf8.Read32(new Bdf(0, 1, 1), 0));
        Assert.Equal(0xffffffffu, m.Cf8.Read32(new Bdf(0, 1, 2), 0));
        Assert.Equal(0x71138086u, m.Cf8.Read32(new Bdf(0, 1, 3), 0));
        Assert.Equal(0x80, m.Cf8.Read8(new Bdf(0, 1, 0), CommonHeader.HeaderType.Offset) & 0x80);
        Assert.Equal("pci.0", m.RootBusName);
        Assert.Null(m.Ecam);
    }

    [Fact]
    public void Q35_HasItsNodefaultsDevices()
    {
        var m = Build(MachineType.Q35);
        Assert.Equal(0x29c08086u, m.Cf8.Read32(new Bdf(0, 0, 0), 0));
        Assert.Equal(0x29188086u, m.Cf8.Read32(new Bdf(0, 0x1f, 0), 0));
        Assert.Equal(0x29228086u, m.Cf8.Read32(new Bdf(0, 0x1f, 2), 0));
        Assert.Equal(0x29308086u, m.Cf8.Read32(new Bdf(0, 0x1f, 3), 0));
        Assert.Equal("pcie.0", m.RootBusName);
    }

    [Fact]
    public void Q35_EcamFollowsPciExBar_AndResetDisablesIt()
    {
        var m = Build(MachineType.Q35);
        var ecam = m.EcamAt(Machine.DefaultEcamBase);
        var mch = new Bdf(0, 0, 0);
        Assert.Null(m.Ecam);
        Assert.Equal(0u, ecam.Read32(mch, 0));
        Assert.Equal((QemuValues.GiB, MemoryLayout.IoApicBase), m.PciHole32);
        m.Cf8.Write32(mch, FakeMch.PciExBar, (uint)Machine.DefaultEcamBase | 1);
        Assert.Equal((Machine.DefaultEcamBase, Machine.DefaultEcamSize), m.Ecam);
        Assert.Equal(0x29c08086u, ecam.Read32(mch, 0));
        Assert.Equal(0x29308086u, ecam.Read32(new Bdf(0, 0x1f, 3), 0));
        Assert.Equal((0xc0000000UL, MemoryLayout.IoApicBase), m.PciHole32);
        m.Reset();
        Assert.Null(m.Ecam);
        Assert.Equal((QemuValues.GiB, MemoryLayout.IoApicBase), m.PciHole32);
    }

    [Fact]
    public void ResetControl_Cf9Bit2_ResetsTheMachine()
    {
        var m = Build(MachineType.Q35);
        var mch = new Bdf(0, 0, 0);
        m.Cf8.Write32(mch, FakeMch.PciExBar, (uint)Machine.DefaultEcamBase | 1);
        Assert.NotNull(m.Ecam);
        m.Cpu.Out(ResetControlRegister.Port, 1, 0x06);
        Assert.Equal(1, m.ResetControl.ResetRequests);
        Assert.Null(m.Ecam);
    }

    [Fact]
    public void AddDevice_WithoutAddr_TakesTheFirstSlotWhoseFunctionZeroIsFree()
    {
        var m = Build(MachineType.Pc, Dev("pci-testdev", "a"), Dev("e1000", "b", props: ("addr", "4")), Dev("pci-testdev", "c"), Dev("pci-testdev", "d"));
        var ids = m.Snapshot().Root.Functions.Where(f => f.QdevId is not null).Select(f => (f.QdevId, f.Slot)).ToList();
        Assert.Equal([("a", 2), ("c", 3), ("b", 4), ("d", 5)], ids);
    }

    [Fact]
    public void AddDevice_Q35_AutoSlotStartsAtOne()
    {
        var m = Build(MachineType.Q35, Dev("pcie-root-port", "rp1"), Dev("pci-testdev", "t", "rp1"));
        var snap = m.Snapshot();
        Assert.Equal(1, snap.Root.Functions.Single(f => f.QdevId == "rp1").Slot);
        Assert.Equal(0, snap.Root.Children.Single().Functions.Single().DevFn);
    }

    public static TheoryData<string, DeviceRequest[], string> Errors() => new()
    {
        { "pc", [Dev("no-such-dev")], "'no-such-dev' is not a valid device model name" },
        { "pc", [Dev("i440FX")], "Parameter 'driver' expects a pluggable device type" },
        { "pc", [Dev("pci-testdev", bus: "xyz")], "Bus 'xyz' not found" },
        { "pc", [Dev("e1000", "n", props: ("addr", "3")), Dev("pci-testdev", props: ("addr", "3"))], "PCI: slot 3 function 0 not available for pci-testdev, in use by e1000,id=n" },
        { "pc", [Dev("pci-testdev", props: ("addr", "1.1"))], "PCI: slot 1 function 1 not available for pci-testdev, in use by piix3-ide,id=(null)" },
        { "pc", [Dev("pci-testdev", props: ("foo", "1"))], "Property 'pci-testdev.foo' not found" },
        { "pc", [Dev("pci-testdev", props: ("addr", "zz"))], "Property 'pci-testdev.addr' doesn't take value 'zz'" },
        { "pc", [Dev("pci-testdev", props: ("addr", "20.0"))], "Property 'pci-testdev.addr' doesn't take value '20.0'" },
        { "pc", [Dev("pci-testdev", props: ("multifunction", "maybe"))], "Parameter 'multifunction' expects 'on' or 'off'" },
        { "pc", [Dev("pcie-root-port", "rp1")], "No 'PCIE' bus found for device 'pcie-root-port'" },
        { "pc", [Dev("pcie-root-port", "rp1", "pci.0")], "Device 'pcie-root-port' can't go on PCI bus" },
        { "pc", [Dev("pci-testdev", "x"), Dev("pci-testdev", "x")], "Duplicate ID 'x' for device" },
        { "pc", [Dev("pci-testdev", "1x")], "Parameter 'id' expects an identifier" },
        { "pc", [Dev("pci-testdev", props: ("addr", "5")), Dev("pci-testdev", props: ("addr", "5.1"))], "PCI: single function device can't be populated in function 5.1" },
        { "pc", [Dev("pci-testdev", props: ("addr", "5.1")), Dev("pci-testdev", props: ("addr", "5.0"))], "PCI: 5.0 indicates single function, but 5.1 is already populated." },
        { "pc", [Dev("pci-testdev", props: ("membar", "12Q"))], "Parameter 'membar' expects size" },
        { "pc", [Dev("pci-testdev", props: ("rombar", "x"))], "Parameter 'rombar' expects integer" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void AddDevice_RejectsLikeQemu(string machine, DeviceRequest[] devices, string message)
    {
        var m = new MachineBuilder().WithType(MachineType.Find(machine)!).WithCatalog(new FakeCatalog()).BuildUnfinished();
        var e = Assert.Throws<QemuException>(() =>
        {
            foreach (var d in devices) m.AddDevice(d);
        });
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void AddDevice_NoFreeSlot_SaysSo()
    {
        var m = new MachineBuilder().WithType(MachineType.Pc).WithCatalog(new FakeCatalog()).BuildUnfinished();
        for (var i = 2; i < 32; i++) m.AddDevice(Dev("pci-testdev"));
        var e = Assert.Throws<QemuException>(() => m.AddDevice(Dev("pci-testdev")));
        Assert.Equal("PCI: no slot/function available for pci-testdev, all in use or reserved", e.Message);
    }

    [Fact]
    public void Multifunction_AllowsFunctionsAndSetsHeaderBit()
    {
        var m = Build(MachineType.Pc, Dev("pci-testdev", props: [("addr", "5"), ("multifunction", "on")]), Dev("pci-testdev", props: ("addr", "5.3")));
        Assert.Equal(0x80, m.Cf8.Read8(new Bdf(0, 5, 0), CommonHeader.HeaderType.Offset) & 0x80);
        Assert.Equal(0x00051b36u, m.Cf8.Read32(new Bdf(0, 5, 3), 0));
    }

    [Fact]
    public void Globals_ApplyToDevicesBeforeTheirOwnProperties()
    {
        var catalog = new FakeCatalog();
        var m = new MachineBuilder().WithType(MachineType.Pc).WithCatalog(catalog)
            .WithGlobal(new GlobalProperty("pci-testdev", "membar", "1M"))
            .AddDevice(Dev("pci-testdev", "a"))
            .AddDevice(Dev("pci-testdev", "b", props: ("membar", "2M")))
            .Build();
        Assert.Equal("1M", catalog.Created.Single(c => c.Function.Id == "a").Props["membar"]);
        Assert.Equal("2M", catalog.Created.Single(c => c.Function.Id == "b").Props["membar"]);
        Assert.Empty(m.Warnings);
    }

    [Fact]
    public void Globals_BadPropertyIsFatal_UnknownDriverWarns()
    {
        var bad = new MachineBuilder().WithType(MachineType.Pc).WithCatalog(new FakeCatalog())
            .WithGlobal(new GlobalProperty("pci-testdev", "foo", "1")).AddDevice(Dev("pci-testdev"));
        Assert.Equal("can't apply global pci-testdev.foo=1: Property 'pci-testdev.foo' not found", Assert.Throws<QemuException>(() => bad.Build()).Message);
        var m = new MachineBuilder().WithType(MachineType.Pc).WithCatalog(new FakeCatalog())
            .WithGlobal(new GlobalProperty("nodev", "x", "1")).Build();
        Assert.Equal(["global nodev.x has invalid class name"], m.Warnings);
    }
}
