using PciEmu.Core;

namespace PciEmu.Testing;

/// <summary>A plain endpoint for core/fabric tests: BAR0 mem32 4 KiB, BAR1 io 256 B, BAR2 mem64 pref 1 MiB, optional ROM.</summary>
public sealed class TestEndpoint(PciDeviceOptions? options = null, ulong romSize = 0, bool express = false) : PciFunction(options)
{
    public const ushort Vendor = 0x1b36;
    public const ushort Device = 0x0005;

    public override string TypeName => "test-endpoint";
    public override DeviceIdentity Identity { get; } = new(Vendor, Device, 0x00ff00);
    public override bool IsExpress => express;

    protected override void Configure(ConfigSpaceBuilder b)
    {
        b.Bar(new BarDefinition(0, BarKind.Memory32, 0x1000));
        b.Bar(new BarDefinition(1, BarKind.Io, 0x100));
        b.Bar(new BarDefinition(2, BarKind.Memory64, 0x100000, Prefetchable: true));
        if (romSize != 0) b.Rom(romSize);
    }
}

/// <summary>A bridge for fabric tests: conventional (pci-bridge-like, no caps) or a PCIe port (one device below).</summary>
public sealed class TestBridge(PciDeviceOptions? options = null, bool express = false) : PciBridgeFunction(options)
{
    public override string TypeName => express ? "test-port" : "test-bridge";
    public override DeviceIdentity Identity { get; } = new(0x1b36, express ? (ushort)0x000c : (ushort)0x0001, 0x060400) { InterruptPin = 1 };
    public override bool IsExpress => express;
    public override bool SecondaryIsExpress => express;
    public override bool HasSingleDeviceSecondary => express;

    public bool Powered { get; set; } = true;
    public override bool SecondaryPowered => Powered;

    protected override void Configure(ConfigSpaceBuilder b)
    {
        if (express) InitExpressPortRegisters(b);
    }
}

/// <summary>A host bridge stand-in at 00:00.0.</summary>
public sealed class TestHost() : PciFunction(null)
{
    public override string TypeName => "test-host";
    public override DeviceIdentity Identity { get; } = new(0x8086, 0x29c0, 0x060000);

    protected override void Configure(ConfigSpaceBuilder b)
    {
    }
}
