using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;
using PciEmu.Platform.Machines.Virt;

namespace PciEmu.Platform.Tests.Machines;

/// <summary>The arm virt machine: names, memory map, ECAM-only config access, state before firmware, hot-plug facts.</summary>
public class VirtMachineTests
{
    private const int RootPortExpCap = 0x54;
    private const int DevCapExtTag = 0x20;
    private static readonly Bdf Gpex = new(0, 0, 0);
    private static readonly Bdf Port = new(0, 1, 0);

    private static DeviceRequest Dev(string driver, string? id, string? bus, params (string, string)[] props) =>
        new() { Driver = driver, Id = id, Bus = bus, Properties = props.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)).ToList() };

    private static Machine Virt(MachineType type, ulong ram = QemuValues.GiB, params GlobalProperty[] globals)
    {
        var b = new MachineBuilder().WithType(type).WithRam(ram).WithCatalog(DevicesCatalog.Instance)
            .AddDevice(Dev("pcie-root-port", "rp1", "pcie.0"));
        foreach (var g in globals) b.WithGlobal(g);
        return b.Build();
    }

    [Theory]
    [InlineData("virt", "virt-11.1")]
    [InlineData("virt-11.1", "virt-11.1")]
    [InlineData("virt-7.2", "virt-7.2")]
    public void Find_ResolvesVersionedNames(string name, string canonical) => Assert.Equal(canonical, MachineType.Find(name)!.Name);

    [Theory]
    [InlineData("virt-8.0")]
    [InlineData("virt-11")]
    [InlineData("virt-x.y")]
    public void Find_RejectsUnmodelledNames(string name) => Assert.Null(MachineType.Find(name));

    [Fact]
    public void MemoryMap_OneGiB_HighEcamAndHighMmio()
    {
        var m = Virt(VirtMachineTypes.Latest);
        Assert.Equal(0x4010000000UL, VirtMachineKind.BoardOf(m)!.Map.EcamBase);
        Assert.Equal(256UL << 20, VirtMachineKind.BoardOf(m)!.Map.EcamSize);
        Assert.Equal(0x8000000000UL, VirtMachineKind.BoardOf(m)!.Map.HighMmioBase);
        Assert.Equal(0xff, VirtMachineKind.BoardOf(m)!.DeviceTree.BusEnd);
        Assert.Equal([VirtRangeKind.Io, VirtRangeKind.Mem32, VirtRangeKind.Mem64], VirtMachineKind.BoardOf(m)!.DeviceTree.Ranges.Select(r => r.Kind));
        Assert.Equal(0x3eff0000UL, VirtMachineKind.BoardOf(m)!.DeviceTree.Ranges[0].CpuBase);
        // _CRS lists 32-bit MMIO, I/O, 64-bit MMIO (the Linux "root bus resource" order).
        Assert.Equal([VirtRangeKind.Mem32, VirtRangeKind.Io, VirtRangeKind.Mem64], VirtMachineKind.BoardOf(m)!.AcpiPci.Crs.Select(r => r.Kind));
    }

    [Fact]
    public void MemoryMap_HighRegionsFollowLargeRam()
    {
        // 512 GiB of RAM ends at 513 GiB: redist2 there, ECAM at the next 256 MiB, MMIO at the next 512 GiB boundary.
        var map = VirtMemoryMap.Compute(512UL << 30, 512UL << 30, 0);
        Assert.Equal((513UL << 30) + (256UL << 20), map.EcamBase);
        Assert.Equal(1024UL << 30, map.HighMmioBase);
    }

    [Fact]
    public void Cf8Access_IsNotDecoded_EcamIs()
    {
        var m = Virt(VirtMachineTypes.Latest);
        Assert.Equal(uint.MaxValue, m.Cf8.Read32(Gpex, 0));
        m.Cf8.Write32(Port, Type1Header.PrimaryBus.Offset, 0x00010100);
        var ecam = m.EcamAt(VirtMachineKind.BoardOf(m)!.Map.EcamBase);
        Assert.Equal(0x00081b36u, ecam.Read32(Gpex, 0));
        Assert.Equal(0u, ecam.Read32(Port, Type1Header.PrimaryBus.Offset) & 0xffffff);
        Assert.Equal(uint.MaxValue, m.Cpu.In(0xcfc, 4));
    }

    [Fact]
    public void BeforeFirmware_ConfigSpaceIsQemusResetState()
    {
        var m = Virt(VirtMachineTypes.Latest);
        var ecam = m.EcamAt(VirtMachineKind.BoardOf(m)!.Map.EcamBase);
        Assert.Equal(0, ecam.Read16(Port, CommonHeader.Command.Offset));
        Assert.Equal(0u, ecam.Read32(Port, Type1Header.BaseAddress0.Offset));
        Assert.Equal(0u, ecam.Read32(Port, Type1Header.PrimaryBus.Offset) & 0xffffff);
        // rp_reset: pci_bridge_reset then pci_bridge_disable_base_limit, so the memory window is closed (base > limit).
        Assert.Equal(0xfff0, ecam.Read16(Port, Type1Header.MemoryBase.Offset) & 0xfff0);
        Assert.Equal(0, ecam.Read16(Port, Type1Header.MemoryLimit.Offset) & 0xfff0);
    }

    [Fact]
    public void PcieExtTag_OnlyInTheNewGeneration()
    {
        uint DevCap(Machine m) => m.EcamAt(VirtMachineKind.BoardOf(m)!.Map.EcamBase).Read32(Port, RootPortExpCap + 4);
        Assert.Equal(DevCapExtTag, (int)(DevCap(Virt(VirtMachineTypes.Latest)) & DevCapExtTag));
        Assert.Equal(0, (int)(DevCap(Virt(VirtMachineTypes.V7_2)) & DevCapExtTag));
    }

    [Fact]
    public void AerUncorrectableMask_OnlyInTheNewGeneration()
    {
        const int aerUncorMask = 0x108;
        uint Mask(Machine m) => m.EcamAt(VirtMachineKind.BoardOf(m)!.Map.EcamBase).Read32(Port, aerUncorMask);
        // The recorded QEMU 11.1 root port (e3-*) reads 0x02400000 here, QEMU 7.2's (e-*) 0.
        Assert.Equal(0x02400000u, Mask(Virt(VirtMachineTypes.Latest)));
        Assert.Equal(0u, Mask(Virt(VirtMachineTypes.V7_2)));
    }

    [Fact]
    public void AcpiGedHotplug_TakesRootPortsAndWithdrawsNativeGrant()
    {
        var m = Virt(VirtMachineTypes.Latest, QemuValues.GiB, new GlobalProperty("acpi-ged", "acpi-pci-hotplug-with-bridge-support", "on"));
        Assert.Equal(HotplugMechanism.Acpi, m.HotplugMechanismFor("rp1"));
        Assert.False(m.Acpi.OscGrantsNativeHotplug);
        Assert.True(VirtMachineKind.BoardOf(m)!.AcpiPci.PciHotplug);
        Assert.Null(VirtMachineKind.BoardOf(m)!.AcpiPci.DsmFunction5);
        Assert.Empty(m.Warnings);
    }

    [Fact]
    public void Default_IsNativePciehp()
    {
        var m = Virt(VirtMachineTypes.Latest);
        Assert.Equal(HotplugMechanism.NativePcie, m.HotplugMechanismFor("rp1"));
        Assert.True(m.Acpi.OscGrantsNativeHotplug);
        Assert.Equal(HotplugMechanism.None, m.HotplugMechanismFor("pcie.0"));
    }

    [Fact]
    public void AcpiGedHotplugGlobal_IsUnknownOnVirt72()
    {
        var e = Assert.Throws<QemuException>(() => Virt(VirtMachineTypes.V7_2, QemuValues.GiB, new GlobalProperty("acpi-ged", "acpi-pci-hotplug-with-bridge-support", "on")));
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeviceAdd_UnderAcpiGed_RaisesAcpiNotification()
    {
        var m = Virt(VirtMachineTypes.Latest, QemuValues.GiB, new GlobalProperty("acpi-ged", "acpi-pci-hotplug-with-bridge-support", "on"));
        HotplugNotification? seen = null;
        m.Hotplug += n => seen = n;
        m.DeviceAdd(Dev("pci-testdev", "hp0", "rp1", ("membar", "4M")));
        Assert.Equal(HotplugMechanism.Acpi, seen!.Mechanism);
        Assert.NotNull(seen.Bsel);
        // The GED's PCI hot-plug block at VIRT_ACPI_PCIHP: select the bus, UP reports slot 0.
        var hp = m.Acpi.AcpiHotplugMmioBase!.Value;
        Assert.Equal(0x090c0000UL, hp);
        m.Cpu.MmioWrite(hp + 0x10, 4, (ulong)seen.Bsel!.Value);
        Assert.Equal(1UL, m.Cpu.MmioRead(hp, 4));
        Assert.Null(m.Acpi.AcpiHotplugIoBase);
    }

    [Fact]
    public void Registry_ListsBothTypesWithQemuNames()
    {
        Assert.Contains(MachineKind.Virt, MachineKinds.All);
        var help = MachineKinds.Help();
        Assert.Contains("virt                 QEMU 11.1 ARM Virtual Machine (alias of virt-11.1)\n", help, StringComparison.Ordinal);
        Assert.Contains("virt-11.1            QEMU 11.1 ARM Virtual Machine\n", help, StringComparison.Ordinal);
        Assert.Contains("virt-7.2             QEMU 7.2 ARM Virtual Machine\n", help, StringComparison.Ordinal);
    }

    [Fact]
    public void PublishedTables_DeviceTreeForFirmware_AcpiForTheOs()
    {
        var t = Virt(VirtMachineTypes.Latest).PublishTables();
        Assert.Equal(TableArchitecture.Arm64, t.Architecture);
        var dt = Assert.Single(t.DeviceTree);
        Assert.Equal("/pcie@4010000000", dt.NodePath);
        Assert.Equal(new EcamAllocation(0x4010000000UL, 0, 0, 0xff), dt.Ecam);
        Assert.Equal(new AddressWindow(WindowSpace.Io, 0, 0xffff, 0x3eff0000), dt.Ranges[0]);
        Assert.Equal(WindowSpace.Memory64, dt.Ranges[2].Space);
        var acpi = t.Acpi!;
        Assert.Equal(new EcamAllocation(0x4010000000UL, 0, 0, 0xff), Assert.Single(acpi.Mcfg));
        var pci0 = Assert.Single(acpi.HostBridges);
        Assert.Equal([WindowSpace.Memory, WindowSpace.Io, WindowSpace.Memory], pci0.Windows.Select(w => w.Space));
        Assert.True(pci0.Osc!.Value.HasFlag(OscControls.NativeHotplug));
        Assert.Null(pci0.DsmFunction5);
        Assert.Empty(acpi.HotplugSlots);
    }

    [Fact]
    public void PublishedTables_AcpiGedHotplug_SlotsOnEveryBusWithPaths()
    {
        var m = Virt(VirtMachineTypes.Latest, QemuValues.GiB, new GlobalProperty("acpi-ged", "acpi-pci-hotplug-with-bridge-support", "on"));
        // Before firmware the root port's secondary bus is 0: only the root bus is described (empty slot 0 is taken
        // by gpex-root, a populated non-bridge: a slot; the cold-plugged root port is not).
        var t = m.PublishTables();
        Assert.False(t.Acpi!.HostBridges[0].Osc!.Value.HasFlag(OscControls.NativeHotplug));
        Assert.Contains(new AcpiHotplugSlot(0, 0, @"\_SB_.PCI0.S00_"), t.Acpi.HotplugSlots);
        Assert.DoesNotContain(t.Acpi.HotplugSlots, s => s.Bus == 0 && s.Slot == 1);
    }
}
