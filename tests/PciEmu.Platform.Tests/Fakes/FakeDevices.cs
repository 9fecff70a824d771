using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Platform.Tests.Fakes;

/// <summary>A test endpoint: identity and BARs given by the test (not a device model; the catalog seam's double).</summary>
internal sealed class FakeEndpoint(string typeName, DeviceIdentity identity, IReadOnlyList<BarDefinition> bars, PciDeviceOptions options, bool express = false)
    : PciFunction(options)
{
    public override string TypeName => typeName;
    public override DeviceIdentity Identity => identity;
    public override bool IsExpress => express;

    protected override void Configure(ConfigSpaceBuilder b)
    {
        foreach (var bar in bars) b.Bar(bar);
    }
}

/// <summary>A test bridge: conventional (pci-bridge-like) or a PCIe downstream port (root-port-like).</summary>
internal sealed class FakeBridge(string typeName, DeviceIdentity identity, bool expressPort, PciDeviceOptions options) : PciBridgeFunction(options)
{
    public override string TypeName => typeName;
    public override DeviceIdentity Identity => identity;
    public override bool IsExpress => expressPort;
    public override bool SecondaryIsExpress => expressPort;
    public override bool HasSingleDeviceSecondary => expressPort;

    public List<PciFunction> SlotEvents { get; } = [];
    public int PowerOns { get; set; }

    protected override void Configure(ConfigSpaceBuilder b)
    {
        if (expressPort) InitExpressPortRegisters(b);
    }
}

/// <summary>A q35 MCH double: PCIEXBAR at 0x60 (plain storage, all bits RW) reported on every write and reset.</summary>
internal sealed class FakeMch(PciDeviceOptions options) : PciFunction(options), IEcamWindowSource
{
    public const int PciExBar = 0x60;
    private const ulong EnableBit = 1;
    private const ulong BaseMask256M = 0xf_f000_0000;

    public override string TypeName => "mch";
    public override DeviceIdentity Identity { get; } = new(0x8086, 0x29c0, 0x060000);

    public event Action<bool, ulong, ulong>? EcamWindowChanged;

    protected override void Configure(ConfigSpaceBuilder b)
    {
    }

    protected override void OnReset()
    {
        Config.SetQuad(PciExBar, Machine.DefaultEcamBase);
        Update();
    }

    protected override void OnConfigWritten(in ConfigWrite w)
    {
        if (w.Overlaps(PciExBar, 8)) Update();
    }

    private void Update()
    {
        var v = Config.GetQuad(PciExBar);
        EcamWindowChanged?.Invoke((v & EnableBit) != 0, v & BaseMask256M, Machine.DefaultEcamSize);
    }
}
