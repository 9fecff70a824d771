using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Platform.Tests;

/// <summary>Hot-plug paths with the real device models (DevicesCatalog).</summary>
public class HotplugTests
{
    private const int RootPortExpCap = 0x54;
    private const int SltCtl = RootPortExpCap + 0x18;
    private const int SltSta = RootPortExpCap + 0x1a;
    private const ushort SltStaPds = 0x40;
    private const ushort SltCtlPcc = 0x400;
    private const ushort Ich9Hp = AcpiFacts.Ich9HotplugIoBase;
    private const int UpReg = 0x00, DownReg = 0x04, EjReg = 0x08, SelReg = 0x10;

    private static DeviceRequest Dev(string driver, string? id, string? bus, params (string, string)[] props) =>
        new() { Driver = driver, Id = id, Bus = bus, Properties = props.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)).ToList() };

    private static Machine Q35(params GlobalProperty[] globals)
    {
        var b = new MachineBuilder().WithType(MachineType.Q35).WithRam(QemuValues.GiB).WithCatalog(DevicesCatalog.Instance)
            .AddDevice(Dev("pcie-root-port", "rp1", "pcie.0", ("chassis", "1"), ("addr", "1c.0"), ("multifunction", "on")))
            .AddDevice(Dev("pcie-root-port", "rp2", "pcie.0", ("chassis", "2"), ("addr", "1c.1"), ("hotplug", "off")));
        foreach (var g in globals) b.WithGlobal(g);
        return b.Build();
    }

    [Fact]
    public void Q35Default_IsAcpiHotplug_WithoutNativeGrant()
    {
        var m = Q35();
        Assert.Equal(HotplugMechanism.Acpi, m.Acpi.RootPortHotplug);
        Assert.False(m.Acpi.OscGrantsNativeHotplug);
        Assert.Equal(0x1eu, m.Acpi.OscGrantedControls);
        Assert.False(m.Acpi.HasDsmFunction5);
        Assert.Null(m.Acpi.DsmFunction5Value);
        Assert.Equal(HotplugMechanism.Acpi, m.HotplugMechanismFor("rp1"));
        Assert.Equal(HotplugMechanism.None, m.HotplugMechanismFor("rp2"));
        Assert.Equal(HotplugMechanism.None, m.HotplugMechanismFor("pcie.0"));
        Assert.Equal(0, m.BselOf("rp1"));
    }

    [Fact]
    public void Q35Acpi_DeviceAdd_PowersSlotRaisesUp_EjectRemoves()
    {
        var m = Q35();
        var events = new List<HotplugNotification>();
        m.Hotplug += events.Add;
        var rp1 = new Bdf(0, 0x1c, 0);
        m.Cf8.Write8(rp1, Type1Header.SecondaryBus.Offset, 1);
        m.Cf8.Write8(rp1, Type1Header.SubordinateBus.Offset, 1);
        Assert.NotEqual(0, m.Cf8.Read16(rp1, SltCtl) & SltCtlPcc);

        m.DeviceAdd(Dev("pci-testdev", "hp0", "rp1"));
        Assert.Equal(HotplugMechanism.Acpi, events.Single().Mechanism);
        Assert.Equal(0, events.Single().Bsel);
        Assert.Equal(0, m.Cf8.Read16(rp1, SltCtl) & SltCtlPcc);
        Assert.Equal(0, m.Cf8.Read16(rp1, SltSta) & SltStaPds);
        Assert.Equal(0x00051b36u, m.Cf8.Read32(new Bdf(1, 0, 0), 0));
        m.Cpu.Out(Ich9Hp + SelReg, 4, 0);
        Assert.Equal(1u, m.Cpu.In(Ich9Hp + UpReg, 4));
        Assert.Equal(0u, m.Cpu.In(Ich9Hp + UpReg, 4));

        m.DeviceDel("hp0");
        Assert.Equal(1u, m.Cpu.In(Ich9Hp + DownReg, 4));
        m.Cpu.Out(Ich9Hp + EjReg, 4, 1);
        Assert.Equal(0xffffffffu, m.Cf8.Read32(new Bdf(1, 0, 0), 0));
        Assert.Equal(HotplugEventKind.Removed, events[^1].Kind);
        m.DeviceAdd(Dev("pci-testdev", "hp0", "rp1"));
    }

    [Fact]
    public void Q35Acpi_RejectsRootBusAndHotplugOffPort()
    {
        var m = Q35();
        Assert.Equal("Bus 'pcie.0' does not support hotplugging", Assert.Throws<QemuException>(() => m.DeviceAdd(Dev("pci-testdev", null, "pcie.0"))).Message);
        Assert.Equal("Bus 'rp2' does not support hotplugging", Assert.Throws<QemuException>(() => m.DeviceAdd(Dev("pci-testdev", null, "rp2"))).Message);
    }

    [Fact]
    public void Q35Native_WhenAcpiBridgeHotplugIsOff_SlotSignalsPresence()
    {
        var m = Q35(new GlobalProperty("ICH9-LPC", "acpi-pci-hotplug-with-bridge-support", "off"));
        Assert.Equal(HotplugMechanism.NativePcie, m.Acpi.RootPortHotplug);
        Assert.True(m.Acpi.OscGrantsNativeHotplug);
        Assert.Null(m.Acpi.AcpiHotplugIoBase);
        Assert.Equal(HotplugMechanism.NativePcie, m.HotplugMechanismFor("rp1"));
        var rp1 = new Bdf(0, 0x1c, 0);
        Assert.Equal(0, m.Cf8.Read16(rp1, SltSta) & SltStaPds);
        var placed = m.DeviceAdd(Dev("pci-testdev", "hp0", "rp1"));
        Assert.Equal(0, placed.DevFn);
        Assert.NotEqual(0, m.Cf8.Read16(rp1, SltSta) & SltStaPds);
        Assert.Equal("Hot-plug failed: unsupported by the port device 'rp2'",
            Assert.Throws<QemuException>(() => m.DeviceAdd(Dev("pci-testdev", null, "rp2"))).Message);
    }

    [Fact]
    public void Q35Native_DeviceAdd_NotificationCarriesTheSlotsMsixMessage()
    {
        const int msixControl = 0x48 + 2;
        const ushort msixEnable = 0x8000;
        const ushort hpie = 0x20, pdce = 0x08, abpe = 0x01;
        var m = Q35(new GlobalProperty("ICH9-LPC", "acpi-pci-hotplug-with-bridge-support", "off"));
        var events = new List<HotplugNotification>();
        m.Hotplug += events.Add;
        var rp1 = new Bdf(0, 0x1c, 0);
        m.Cf8.Write16(rp1, msixControl, msixEnable);
        m.Cf8.Write16(rp1, SltCtl, (ushort)(m.Cf8.Read16(rp1, SltCtl) | hpie | pdce | abpe));
        m.DeviceAdd(Dev("pci-testdev", "hp0", "rp1"));
        Assert.Equal(new HotplugInterrupt(HotplugInterruptKind.MsiX, 0, true), events.Single().Interrupt);
        Assert.Equal(HotplugMechanism.NativePcie, events.Single().Mechanism);
    }

    [Fact]
    public void Q35Native_ColdPluggedChildSetsPresence_AcpiDoesNot()
    {
        Machine Build(bool acpi)
        {
            var b = new MachineBuilder().WithType(MachineType.Q35).WithCatalog(DevicesCatalog.Instance)
                .AddDevice(Dev("pcie-root-port", "rp1", "pcie.0", ("chassis", "1")))
                .AddDevice(Dev("pci-testdev", "t", "rp1"));
            if (!acpi) b.WithGlobal(new GlobalProperty("ICH9-LPC", "acpi-pci-hotplug-with-bridge-support", "off"));
            return b.Build();
        }
        var rp = new Bdf(0, 1, 0);
        Assert.Equal(0, Build(true).Cf8.Read16(rp, SltSta) & SltStaPds);
        Assert.NotEqual(0, Build(false).Cf8.Read16(rp, SltSta) & SltStaPds);
    }

    [Fact]
    public void Q35Acpi_HotplugOffPort_ColdChildHasNoPresence_NativeHasIt()
    {
        Machine Build(bool acpi)
        {
            var b = new MachineBuilder().WithType(MachineType.Q35).WithCatalog(DevicesCatalog.Instance)
                .AddDevice(Dev("pcie-root-port", "rp1", "pcie.0", ("chassis", "1"), ("hotplug", "off")))
                .AddDevice(Dev("pci-testdev", "t", "rp1"));
            if (!acpi) b.WithGlobal(new GlobalProperty("ICH9-LPC", "acpi-pci-hotplug-with-bridge-support", "off"));
            return b.Build();
        }
        var rp = new Bdf(0, 1, 0);
        Assert.Equal(0, Build(true).Cf8.Read16(rp, SltSta) & SltStaPds);
        Assert.NotEqual(0, Build(false).Cf8.Read16(rp, SltSta) & SltStaPds);
    }

    [Fact]
    public void Pc_AcpiOnRootAndBridges_ShpcWhenBridgeSupportIsOff()
    {
        Machine Build(params GlobalProperty[] globals)
        {
            var b = new MachineBuilder().WithType(MachineType.Pc).WithCatalog(DevicesCatalog.Instance)
                .AddDevice(Dev("pci-bridge", "br1", null, ("chassis_nr", "1")));
            foreach (var g in globals) b.WithGlobal(g);
            return b.Build();
        }
        var acpi = Build();
        Assert.Equal(HotplugMechanism.Acpi, acpi.HotplugMechanismFor("pci.0"));
        Assert.Equal(HotplugMechanism.Acpi, acpi.HotplugMechanismFor("br1"));
        Assert.Equal(0, acpi.BselOf("pci.0"));
        Assert.Equal(1, acpi.BselOf("br1"));
        Assert.False(acpi.Acpi.HasOsc);
        var added = new List<HotplugNotification>();
        acpi.Hotplug += added.Add;
        acpi.DeviceAdd(Dev("pci-testdev", "hp0", "br1", ("addr", "3")));
        Assert.Equal(1, added.Single().Bsel);
        acpi.Cpu.Out(AcpiFacts.PiixHotplugIoBase + SelReg, 4, 1);
        Assert.Equal(1u << 3, acpi.Cpu.In(AcpiFacts.PiixHotplugIoBase + UpReg, 4));

        var shpc = Build(new GlobalProperty("PIIX4_PM", "acpi-pci-hotplug-with-bridge-support", "off"));
        Assert.Equal(HotplugMechanism.Acpi, shpc.HotplugMechanismFor("pci.0"));
        Assert.Equal(HotplugMechanism.Shpc, shpc.HotplugMechanismFor("br1"));
        Assert.Null(shpc.BselOf("br1"));
    }

    [Fact]
    public void DeviceAdd_FunctionBehindPresentFunctionZero_IsRefused()
    {
        var m = new MachineBuilder().WithType(MachineType.Pc).WithCatalog(DevicesCatalog.Instance)
            .AddDevice(Dev("pci-testdev", "t", null, ("addr", "5"), ("multifunction", "on"))).Build();
        Assert.Equal("PCI: slot 5 function 0 already occupied by pci-testdev, new func pci-testdev cannot be exposed to guest.",
            Assert.Throws<QemuException>(() => m.DeviceAdd(Dev("pci-testdev", null, null, ("addr", "5.1")))).Message);
    }
}

/// <summary>The machines with the real chipset models.</summary>
public class RealChipsetTests
{
    [Fact]
    public void Pc_RealChipset_AtQemusAddresses()
    {
        var m = new MachineBuilder().WithType(MachineType.Pc).WithRam(QemuValues.GiB).WithCatalog(DevicesCatalog.Instance).Build();
        var ids = m.Snapshot().Root.Functions.Select(f => $"{f.Slot:x2}.{f.Function} {f.VendorId:x4}:{f.DeviceId:x4}").ToList();
        Assert.Equal(["00.0 8086:1237", "01.0 8086:7000", "01.1 8086:7010", "01.3 8086:7113"], ids);
        Assert.Equal(0x12378086u, m.Cf8.Read32(new Bdf(0, 0, 0), 0));
    }

    [Fact]
    public void Q35_RealMch_PciExBarMapsAndMovesEcam()
    {
        var m = new MachineBuilder().WithType(MachineType.Q35).WithRam(QemuValues.GiB).WithCatalog(DevicesCatalog.Instance).Build();
        var ids = m.Snapshot().Root.Functions.Select(f => $"{f.Slot:x2}.{f.Function} {f.VendorId:x4}:{f.DeviceId:x4}").ToList();
        Assert.Equal(["00.0 8086:29c0", "1f.0 8086:2918", "1f.2 8086:2922", "1f.3 8086:2930"], ids);
        var mch = new Bdf(0, 0, 0);
        Assert.Null(m.Ecam);
        m.Cf8.Write32(mch, 0x60, 0xb0000001);
        Assert.Equal((0xb0000000UL, 256UL << 20), m.Ecam);
        Assert.Equal(0x29308086u, m.EcamAt(0xb0000000).Read32(new Bdf(0, 0x1f, 3), 0));
        // 64 MiB window at 0xe0000000 (length bits 2:1 = 10b).
        m.Cf8.Write32(mch, 0x60, 0xe0000005);
        Assert.Equal((0xe0000000UL, 64UL << 20), m.Ecam);
        Assert.Equal(0u, m.EcamAt(0xb0000000).Read32(mch, 0));
        Assert.Equal(0x29c08086u, m.EcamAt(0xe0000000).Read32(mch, 0));
        Assert.Equal((0xe4000000UL, MemoryLayout.IoApicBase), m.PciHole32);
        m.Reset();
        Assert.Null(m.Ecam);
    }
}
