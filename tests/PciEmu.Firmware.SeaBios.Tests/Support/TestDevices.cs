using PciEmu.Core;
using PciEmu.Fabric;

namespace PciEmu.Firmware.SeaBios.Tests.Support;

/// <summary>The QEMU resource-reservation capability values (null = field not set, all ones).</summary>
public sealed record ReserveCap(uint? BusRes = null, ulong? Io = null, uint? Mem = null, uint? Pref32 = null, ulong? Pref64 = null);

/// <summary>Small device models, just enough of QEMU's to exercise the port without the devices project.</summary>
public static class TestCaps
{
    public const int PcieCapSize = 0x3c;
    public const int ReserveCapSize = 32;
    public const int ShpcCapSize = 8;
    public const ushort PcieCapVersion2 = 0x2;
    public const int PcieTypeShift = 4;
    public const ushort PcieFlagsSlot = 0x100;

    public static void AddPcie(ConfigSpaceBuilder b, byte portType, bool slotImplemented, int offset = 0x40)
    {
        var cap = b.Capabilities.Add(CapabilityId.Express, offset, PcieCapSize);
        var flags = (ushort)(PcieCapVersion2 | (portType << PcieTypeShift) | (slotImplemented ? PcieFlagsSlot : 0));
        b.Init(cap + 2, 2, flags);
    }

    public static void AddReserve(ConfigSpaceBuilder b, ReserveCap r, int length = ReserveCapSize)
    {
        var cap = b.Capabilities.Add(CapabilityId.Vendor, 0, ReserveCapSize);
        b.Init(cap + 2, 1, (uint)length);
        b.Init(cap + 3, 1, 1);
        b.Init(cap + 4, 4, r.BusRes ?? uint.MaxValue);
        var io = r.Io ?? ulong.MaxValue;
        b.Init(cap + 8, 4, (uint)io).Init(cap + 12, 4, (uint)(io >> 32));
        b.Init(cap + 16, 4, r.Mem ?? uint.MaxValue);
        b.Init(cap + 20, 4, r.Pref32 ?? uint.MaxValue);
        var p64 = r.Pref64 ?? ulong.MaxValue;
        b.Init(cap + 24, 4, (uint)p64).Init(cap + 28, 4, (uint)(p64 >> 32));
    }
}

/// <summary>A type-0 function with the given identity, BARs and optional ROM.</summary>
public sealed class TestFunction(string typeName, DeviceIdentity identity, IReadOnlyList<BarDefinition> bars, ulong romSize = 0,
    PciDeviceOptions? options = null, bool express = false, Action<ConfigSpaceBuilder>? configure = null) : PciFunction(options)
{
    public override string TypeName => typeName;
    public override DeviceIdentity Identity => identity;
    public override bool IsExpress => express;

    protected override void Configure(ConfigSpaceBuilder b)
    {
        foreach (var bar in bars) b.Bar(bar);
        if (romSize != 0) b.Rom(romSize);
        configure?.Invoke(b);
    }
}

/// <summary>Q35 MCH: PCIEXBAR at 0x60 maps the ECAM window (mch_update_pciexbar, 256 MiB length only).</summary>
public sealed class TestMch(EcamHost ecam) : PciFunction
{
    private const int Pciexbar = 0x60;
    private const ulong EcamSize = 256UL << 20;
    private const ulong BaseMask = 0xf0000000;

    public override string TypeName => "mch";
    public override DeviceIdentity Identity { get; } = new(0x8086, 0x29c0, 0x060000);

    protected override void Configure(ConfigSpaceBuilder b) => b.Rw(Pciexbar, 4, uint.MaxValue).Rw(Pciexbar + 4, 4, uint.MaxValue);

    protected override void OnConfigWritten(in ConfigWrite w)
    {
        if (!w.Overlaps(Pciexbar, 8)) return;
        var v = Config.GetQuad(Pciexbar);
        ecam.Update((v & 1) != 0, v & BaseMask, EcamSize);
    }
}

/// <summary>pci-bridge (1b36:0001): with SHPC a 64-bit BAR0 of 256 bytes and the SHPC cap; optional and reservation capabilities.</summary>
public sealed class TestPciBridge(bool shpc = true, ReserveCap? reserve = null, PciDeviceOptions? options = null,
    ushort deviceId = 0x0001) : PciBridgeFunction(options)
{
    public override string TypeName => "pci-bridge";
    public override DeviceIdentity Identity { get; } = new(0x1b36, deviceId, 0x060400) { InterruptPin = 1 };
    public override bool SecondaryIsExpress => false;

    protected override void Configure(ConfigSpaceBuilder b)
    {
        if (shpc)
        {
            // pci_bridge_dev_realize: the SHPC BAR exists only with shpc=on.
            b.Bar(new BarDefinition(0, BarKind.Memory64, 0x100));
            b.Capabilities.Add(CapabilityId.Shpc, 0x48, TestCaps.ShpcCapSize);
        }
        if (reserve is not null) TestCaps.AddReserve(b, reserve);
    }
}

/// <summary>pcie-root-port (1b36:000c): PCIe cap type 4 with Slot Implemented, 4 KiB BAR0, optional reservation cap.</summary>
public sealed class TestRootPort(ReserveCap? reserve = null, PciDeviceOptions? options = null, byte portType = 4,
    ushort vendor = 0x1b36, ushort deviceId = 0x000c, bool slot = true, int reserveLength = TestCaps.ReserveCapSize) : PciBridgeFunction(options)
{
    public override string TypeName => "pcie-root-port";
    public override DeviceIdentity Identity { get; } = new(vendor, deviceId, 0x060400) { InterruptPin = 1 };
    public override bool IsExpress => true;
    public override bool SecondaryIsExpress => true;
    public override bool HasSingleDeviceSecondary => portType != 5;

    protected override void Configure(ConfigSpaceBuilder b)
    {
        InitExpressPortRegisters(b);
        b.Bar(new BarDefinition(0, BarKind.Memory32, 0x1000));
        TestCaps.AddPcie(b, portType, slot);
        if (reserve is not null) TestCaps.AddReserve(b, reserve, reserveLength);
    }
}
