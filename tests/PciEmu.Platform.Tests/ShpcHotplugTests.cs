using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Platform.Tests;

/// <summary>
/// SHPC hot-plug through the platform with the real pci-bridge / pcie-pci-bridge models (hw/pci/shpc.c, QEMU 7.2):
/// the guest's view is the SHPC register file read through the capability's DWORD select/data window.
/// </summary>
public class ShpcHotplugTests
{
    private const int ShpcCap = 0x40;
    private const int DwordSelect = ShpcCap + 2;
    private const int DwordData = ShpcCap + 4;
    private const int MsiFlags = 0x4c + 2;
    private const byte CommandDword = 0x14 / 4;
    private const byte InterruptLocatorDword = 0x18 / 4;
    private const byte SerrIntDword = 0x20 / 4;
    private const ushort SlotEmpty = 0x0d0f;
    private const ushort SlotCardPresentDisabled = 0x000f;
    private const ushort SlotEnabledPowerOn = 0x0006;
    private const byte LatchPresence = 0x01, LatchButton = 0x04, LatchMrl = 0x08;
    private const uint CmdEnablePowerOn = 0x02 | 0x04, CmdDisablePowerOff = 0x03 | 0x0c, CmdPowerBlink = 0x08;
    private const uint SlotEventW1c = 0x1fu << 16;

    private static readonly Bdf Bridge = new(0, 3, 0);
    private static readonly GlobalProperty PiixShpc = new("PIIX4_PM", "acpi-pci-hotplug-with-bridge-support", "off");

    private static DeviceRequest Dev(string driver, string? id, string? bus, params (string, string)[] props) =>
        new() { Driver = driver, Id = id, Bus = bus, Properties = props.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)).ToList() };

    /// <summary>pc with SHPC on cold-plugged bridges: br1 at 00:03.0 (bus 1), br2 (shpc=off) at 00:04.0 (bus 2).</summary>
    private static Machine PcShpc(params DeviceRequest[] more)
    {
        var b = new MachineBuilder().WithType(MachineType.Pc).WithRam(QemuValues.GiB).WithCatalog(DevicesCatalog.Instance).WithGlobal(PiixShpc)
            .AddDevice(Dev("pci-bridge", "br1", null, ("chassis_nr", "1"), ("addr", "3")))
            .AddDevice(Dev("pci-bridge", "br2", null, ("chassis_nr", "2"), ("addr", "4"), ("shpc", "off")));
        foreach (var d in more) b.AddDevice(d);
        var m = b.Build();
        Number(m, Bridge, 1);
        Number(m, new Bdf(0, 4, 0), 2);
        return m;
    }

    private static void Number(Machine m, Bdf bridge, byte bus)
    {
        m.Cf8.Write8(bridge, Type1Header.SecondaryBus.Offset, bus);
        m.Cf8.Write8(bridge, Type1Header.SubordinateBus.Offset, bus);
    }

    /// <summary>shpchp's shpc_readl: select the DWORD, read the data register.</summary>
    private static uint Shpc(Machine m, byte dword, Bdf? bridge = null)
    {
        m.Cf8.Write8(bridge ?? Bridge, DwordSelect, dword);
        return m.Cf8.Read32(bridge ?? Bridge, DwordData);
    }

    private static void ShpcWrite(Machine m, byte dword, uint value, Bdf? bridge = null)
    {
        m.Cf8.Write8(bridge ?? Bridge, DwordSelect, dword);
        m.Cf8.Write32(bridge ?? Bridge, DwordData, value);
    }

    private static byte SlotDword(int pciSlot) => (byte)((0x24 + 4 * (pciSlot - 1)) / 4);
    private static ushort Status(Machine m, int pciSlot) => (ushort)Shpc(m, SlotDword(pciSlot));
    private static byte Latch(Machine m, int pciSlot) => (byte)(Shpc(m, SlotDword(pciSlot)) >> 16);

    /// <summary>What shpchp's shpc_init does for interrupts: global INT/SERR enables on, slot events unmasked.</summary>
    private static void GuestEnablesInterrupts(Machine m, int pciSlot)
    {
        ShpcWrite(m, SerrIntDword, 0);
        ShpcWrite(m, SlotDword(pciSlot), 0);
    }

    /// <summary>shpc_write_cmd: target slot in bits 15:8, code in 7:0.</summary>
    private static void Command(Machine m, int pciSlot, uint code) => ShpcWrite(m, CommandDword, ((uint)pciSlot << 8) | code);

    [Fact]
    public void Pc_BridgeSupportOff_ColdBridgesUseShpc_ShpcOffBridgeHasNoHandler()
    {
        var m = PcShpc();
        Assert.Equal(HotplugMechanism.Shpc, m.HotplugMechanismFor("br1"));
        Assert.Equal(HotplugMechanism.None, m.HotplugMechanismFor("br2"));
        Assert.Equal(HotplugMechanism.Acpi, m.HotplugMechanismFor("pci.0"));
        Assert.Equal("Bus 'br2' does not support hotplugging", Assert.Throws<QemuException>(() => m.DeviceAdd(Dev("pci-testdev", null, "br2", ("addr", "1")))).Message);
        Assert.Equal(SlotEmpty, Status(m, 2));
    }

    [Fact]
    public void DeviceAdd_ClosesMrl_PresentsCard_LatchesButtonMrlPresence_InterruptWhenUnmasked()
    {
        var m = PcShpc();
        var events = new List<HotplugNotification>();
        m.Hotplug += events.Add;

        // Reset state: interrupts globally disabled, so the latch alone raises nothing.
        var placed = m.DeviceAdd(Dev("pci-testdev", "hp0", "br1", ("addr", "2")));
        Assert.Equal(0x10, placed.DevFn);
        Assert.Equal(SlotCardPresentDisabled, Status(m, 2));
        Assert.Equal(LatchButton | LatchMrl | LatchPresence, Latch(m, 2));
        Assert.Equal(0u, Shpc(m, InterruptLocatorDword));
        var added = events.Single();
        Assert.Equal((HotplugEventKind.Added, HotplugMechanism.Shpc, "br1", 0x10, "hp0"), (added.Kind, added.Mechanism, added.BusName, added.DevFn, added.Id));
        Assert.Null(added.Bsel);
        Assert.Equal(new HotplugInterrupt(HotplugInterruptKind.Intx, 0, false), added.Interrupt);
        Assert.Equal(0x00051b36u, m.Cf8.Read32(new Bdf(1, 2, 0), 0));

        // With shpchp's enables the next plug asserts INTx and names the slot in the interrupt locator.
        GuestEnablesInterrupts(m, 5);
        m.DeviceAdd(Dev("pci-testdev", "hp1", "br1", ("addr", "5")));
        Assert.Equal(1u << 5, Shpc(m, InterruptLocatorDword));
        Assert.Equal(new HotplugInterrupt(HotplugInterruptKind.Intx, 0, true), events[^1].Interrupt);

        // With MSI enabled the level change is a message instead (msi_notify).
        ShpcWrite(m, SlotDword(5), SlotEventW1c);
        m.Cf8.Write16(Bridge, MsiFlags, 1);
        GuestEnablesInterrupts(m, 7);
        m.DeviceAdd(Dev("pci-testdev", "hp2", "br1", ("addr", "7")));
        Assert.Equal(new HotplugInterrupt(HotplugInterruptKind.Msi, 0, true), events[^1].Interrupt);
    }

    [Fact]
    public void DeviceDel_PressesButton_GuestDisablesSlotWithPowerLedOff_DeviceLeaves()
    {
        var m = PcShpc();
        var events = new List<HotplugNotification>();
        m.Hotplug += events.Add;
        m.DeviceAdd(Dev("pci-testdev", "hp0", "br1", ("addr", "2")));
        // shpchp board_added: enable the slot, power LED on; then it acknowledges the events.
        Command(m, 2, CmdEnablePowerOn);
        ShpcWrite(m, SlotDword(2), SlotEventW1c);
        Assert.Equal(SlotEnabledPowerOn, Status(m, 2));
        Assert.Equal(0, Latch(m, 2));

        m.DeviceDel("hp0");
        Assert.Equal(LatchButton, Latch(m, 2));
        Assert.Equal(HotplugEventKind.UnplugRequested, events[^1].Kind);
        Assert.Equal(HotplugMechanism.Shpc, events[^1].Mechanism);
        Assert.Equal(0x00051b36u, m.Cf8.Read32(new Bdf(1, 2, 0), 0));

        // shpchp remove_board: disable + power LED off; QEMU frees the slot (shpc_free_devices_in_slot).
        Command(m, 2, CmdDisablePowerOff);
        Assert.Equal(0xffffffffu, m.Cf8.Read32(new Bdf(1, 2, 0), 0));
        Assert.Equal(SlotEmpty, Status(m, 2));
        Assert.Equal(LatchButton | LatchMrl | LatchPresence, Latch(m, 2));
        Assert.Equal((HotplugEventKind.Removed, HotplugMechanism.Shpc, "hp0"), (events[^1].Kind, events[^1].Mechanism, events[^1].Id));
        Assert.Equal("Device 'hp0' not found", Assert.Throws<QemuException>(() => m.DeviceDel("hp0")).Message);
        m.DeviceAdd(Dev("pci-testdev", "hp0", "br1", ("addr", "2")));
    }

    [Fact]
    public void DeviceDel_SlotNeverEnabled_RemovesAtOnce_AfterTheRequestNotification()
    {
        var m = PcShpc();
        var events = new List<HotplugNotification>();
        m.DeviceAdd(Dev("pci-testdev", "hp0", "br1", ("addr", "2")));
        m.Hotplug += events.Add;
        m.DeviceDel("hp0");
        Assert.Equal([HotplugEventKind.UnplugRequested, HotplugEventKind.Removed], events.Select(e => e.Kind));
        Assert.Equal(0xffffffffu, m.Cf8.Read32(new Bdf(1, 2, 0), 0));
        Assert.Equal(SlotEmpty, Status(m, 2));
    }

    [Fact]
    public void Refusals_AreQemusMessages()
    {
        var m = PcShpc(Dev("pci-testdev", "cold", "br1", ("addr", "1")));
        // Slot 0 of the secondary bus is not an SHPC slot (the automatic address is devfn 0).
        Assert.Equal("Unsupported PCI slot 0 for standard hotplug controller. Valid slots are between 1 and 31.",
            Assert.Throws<QemuException>(() => m.DeviceAdd(Dev("pci-testdev", "x", "br1"))).Message);
        Assert.Equal(0xffffffffu, m.Cf8.Read32(new Bdf(1, 0, 0), 0));
        m.DeviceAdd(Dev("pci-testdev", "x", "br1", ("addr", "4")));
        Assert.Equal("PCI: slot 1 function 0 not available for pci-testdev, in use by pci-testdev,id=cold",
            Assert.Throws<QemuException>(() => m.DeviceAdd(Dev("pci-testdev", null, "br1", ("addr", "1")))).Message);

        // The cold-plugged device is present and enabled; the guest's power LED blink blocks device_del.
        Assert.Equal(SlotEnabledPowerOn, Status(m, 1));
        Command(m, 1, CmdPowerBlink);
        Assert.Equal("Hot-unplug failed: guest is busy (power indicator blinking)", Assert.Throws<QemuException>(() => m.DeviceDel("cold")).Message);
        Assert.Equal(0, Latch(m, 1));
        Assert.Equal("Bus 'pci.0' does not support hotplugging",
            Assert.Throws<QemuException>(() => new MachineBuilder().WithType(MachineType.Pc).WithCatalog(DevicesCatalog.Instance)
                .WithGlobal(new GlobalProperty("PIIX4_PM", "acpi-root-pci-hotplug", "off")).WithGlobal(PiixShpc)
                .AddDevice(Dev("pci-bridge", "br1", null, ("chassis_nr", "1"))).Build().DeviceDel("br1")).Message);
    }

    [Fact]
    public void ColdPlugAtSlotZero_FailsUnderShpc_WorksUnderAcpi()
    {
        DeviceRequest[] devices = [Dev("pci-bridge", "br1", null, ("chassis_nr", "1")), Dev("pci-testdev", null, "br1", ("addr", "0"))];
        var shpc = new MachineBuilder().WithType(MachineType.Pc).WithCatalog(DevicesCatalog.Instance).WithGlobal(PiixShpc);
        foreach (var d in devices) Assert.Equal(d.Bus is null ? null : "Unsupported PCI slot 0 for standard hotplug controller. Valid slots are between 1 and 31.", Record.Exception(() => shpc.AddDevice(d).Build())?.Message);
        var acpi = new MachineBuilder().WithType(MachineType.Pc).WithCatalog(DevicesCatalog.Instance);
        foreach (var d in devices) acpi.AddDevice(d);
        acpi.Build();
    }

    [Fact]
    public void Pc_AcpiDefault_HotAddedBridgeGetsShpc()
    {
        var m = new MachineBuilder().WithType(MachineType.Pc).WithCatalog(DevicesCatalog.Instance).Build();
        m.DeviceAdd(Dev("pci-bridge", "br9", null, ("chassis_nr", "9"), ("addr", "3")));
        Assert.Equal(HotplugMechanism.Shpc, m.HotplugMechanismFor("br9"));
        Number(m, Bridge, 1);
        var n = new List<HotplugNotification>();
        m.Hotplug += n.Add;
        m.DeviceAdd(Dev("pci-testdev", "t", "br9", ("addr", "1")));
        Assert.Equal(HotplugMechanism.Shpc, n.Single().Mechanism);
        Assert.Equal(LatchButton | LatchMrl | LatchPresence, Latch(m, 1));
    }

    [Fact]
    public void Q35_PciePciBridge_ShpcWhenAcpiHotplugIsOff()
    {
        Machine Build(bool acpi)
        {
            var b = new MachineBuilder().WithType(MachineType.Q35).WithCatalog(DevicesCatalog.Instance)
                .AddDevice(Dev("pcie-pci-bridge", "pb", "pcie.0", ("addr", "3")));
            if (!acpi) b.WithGlobal(new GlobalProperty("ICH9-LPC", "acpi-pci-hotplug-with-bridge-support", "off"));
            return b.Build();
        }
        Assert.Equal(HotplugMechanism.Acpi, Build(true).HotplugMechanismFor("pb"));
        var m = Build(false);
        Assert.Equal(HotplugMechanism.Shpc, m.HotplugMechanismFor("pb"));
        Number(m, Bridge, 1);
        m.DeviceAdd(Dev("pci-testdev", "t", "pb", ("addr", "1")));
        Assert.Equal(LatchButton | LatchMrl | LatchPresence, Latch(m, 1));
        Assert.Equal(SlotCardPresentDisabled, Status(m, 1));
        m.DeviceDel("t");
        Assert.Equal(0xffffffffu, m.Cf8.Read32(new Bdf(1, 1, 0), 0));
    }
}
