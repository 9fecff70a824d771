using PciEmu.Core;
using PciEmu.Fabric;
using PciEmu.Scenarios.Setpci;
using PciEmu.Testing;

namespace PciEmu.Scenarios.Tests.Setpci;

/// <summary>setpci's grammar (setpci.c parse_op / exec_op): every form and every error.</summary>
public class SetpciTests
{
    private sealed class CapDevice() : PciFunction(null)
    {
        public override string TypeName => "cap-device";
        public override DeviceIdentity Identity { get; } = new(0x1b36, 0x000c, 0x060400);
        public override bool IsExpress => true;

        protected override void Configure(ConfigSpaceBuilder b)
        {
            b.Capabilities.Add(CapabilityId.SubsystemVendor, 0, 8);
            b.Capabilities.Add(CapabilityId.Msi, 0, 0x14);
            var exp = b.Capabilities.Add(CapabilityId.Express, 0, 0x3c);
            b.Capabilities.Add(CapabilityId.Msi, 0, 0x14);
            b.Rw(exp + 0x18, 2, 0x0ff9);
            b.Capabilities.AddExtended(ExtCapabilityId.Aer, 2, 0x100, 0x48);
        }
    }

    private static (IConfigAccessor Accessor, PciFunction Endpoint, PciFunction Caps) Fabric()
    {
        var cpu = new CpuBus();
        var root = PciBus.CreateRoot("pcie.0", true);
        var h = new PciHierarchy(root);
        var dec = new PciConfigDecoder(h, cpu);
        var ecam = new EcamHost(dec);
        ecam.Update(true, 0xb0000000, 0x10000000);
        var ep = new TestEndpoint();
        var caps = new CapDevice();
        root.Plug(0, new TestHost());
        root.Plug(1 << 3, ep);
        root.Plug(2 << 3, caps);
        return (new EcamAccessor(cpu, 0xb0000000), ep, caps);
    }

    [Theory]
    [InlineData("COMMAND", 0x04, 2, SetpciCapType.None)]
    [InlineData("command.l", 0x04, 4, SetpciCapType.None)]
    [InlineData("4.w", 0x04, 2, SetpciCapType.None)]
    [InlineData("0x3c.b", 0x3c, 1, SetpciCapType.None)]
    [InlineData("VENDOR_ID+1.b", 0x01, 1, SetpciCapType.None)]
    [InlineData("CAP_EXP+0x14.w", 0x14, 2, SetpciCapType.Normal)]
    [InlineData("CAP_PM+2.w", 0x02, 2, SetpciCapType.Normal)]
    [InlineData("ECAP108.l", 0x00, 4, SetpciCapType.Extended)]
    [InlineData("CAP10+1a.w", 0x1a, 2, SetpciCapType.Normal)]
    [InlineData("ECAP_AER+4.L", 0x04, 4, SetpciCapType.Extended)]
    public void Parse_Forms(string text, int address, int width, SetpciCapType capType)
    {
        var op = SetpciOperation.Parse(text);
        Assert.Equal(address, op.Address);
        Assert.Equal(width, op.Width);
        Assert.Equal(capType, op.CapType);
        Assert.False(op.IsWrite);
    }

    [Fact]
    public void Parse_ValuesAndMasks()
    {
        var op = SetpciOperation.Parse("COMMAND=0x7");
        Assert.Equal(new[] { new SetpciValue(7, uint.MaxValue) }, op.Values);
        op = SetpciOperation.Parse("40.b=12,34,56:f0");
        Assert.Equal(new[] { new SetpciValue(0x12, uint.MaxValue), new SetpciValue(0x34, uint.MaxValue), new SetpciValue(0x50, 0xf0) }, op.Values);
        op = SetpciOperation.Parse("CAP_MSI.w@1");
        Assert.Equal(1, op.Number);
    }

    [Theory]
    [InlineData("FOO", "Unknown register \"FOO\"")]
    [InlineData("CAP_FOO", "Unknown register \"CAP_FOO\"")]
    [InlineData("40", "Missing width")]
    [InlineData("CAP_EXP", "Missing width")]
    [InlineData("COMMAND.q", "Invalid width \"q\"")]
    [InlineData("COMMAND.ww", "Invalid width \"ww\"")]
    [InlineData("COMMAND+zz", "Invalid offset \"zz\"")]
    [InlineData("COMMAND+1000", "Invalid offset \"1000\"")]
    [InlineData("ffe.l", "Register number ffe out of range")]
    [InlineData("ffc.l=1,2", "Register number ffc out of range")]
    [InlineData("COMMAND+1", "Unaligned register address 05")]
    [InlineData("COMMAND=", "Missing value")]
    [InlineData("COMMAND=zz", "Invalid value \"zz\"")]
    [InlineData("COMMAND=1x", "Invalid value \"1x\"")]
    [InlineData("COMMAND=1ffff", "Value \"1ffff\" is out of range")]
    [InlineData("COMMAND=1:zz", "Invalid mask \"zz\"")]
    [InlineData("COMMAND=1:1ffff", "Mask \"1ffff\" is out of range")]
    [InlineData("CAP_MSI.w@zz", "Invalid number \"zz\"")]
    [InlineData("CAP_MSI@1.w", "Invalid number \"1.w\"")]
    public void Parse_Errors_UseSetpciWording(string text, string message)
    {
        var e = Assert.Throws<SetpciException>(() => SetpciOperation.Parse(text));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Execute_ReadWriteAndMaskedWrite()
    {
        var (a, ep, _) = Fabric();
        var bdf = new Bdf(0, 1, 0);
        Assert.Equal(["1b36"], SetpciOperation.Parse("VENDOR_ID").Execute(a, bdf));
        SetpciOperation.Parse("COMMAND=7").Execute(a, bdf);
        Assert.Equal(7, ep.Config.GetWord(CommonHeader.Command.Offset));
        SetpciOperation.Parse("COMMAND=0:2").Execute(a, bdf);
        Assert.Equal(5, ep.Config.GetWord(CommonHeader.Command.Offset));
        SetpciOperation.Parse("40.b=11,22,33").Execute(a, bdf);
        Assert.Equal(0x00332211u, ep.Config.GetLong(0x40));
    }

    [Fact]
    public void Execute_CapabilityRelative_AndInstances()
    {
        var (a, _, caps) = Fabric();
        var bdf = new Bdf(0, 2, 0);
        var exp = caps.GetCapabilities().First(c => c.Id == CapabilityId.Express).Offset;
        SetpciOperation.Parse("CAP_EXP+0x18.w=0x07c0").Execute(a, bdf);
        Assert.Equal(0x07c0, caps.Config.GetWord(exp + 0x18));
        Assert.Equal(["0000"], SetpciOperation.Parse("CAP_MSI+2.w@1").Execute(a, bdf));
        var e = Assert.Throws<SetpciException>(() => SetpciOperation.Parse("CAP_MSI.w@2").Execute(a, bdf));
        Assert.Equal("0000:00:02.0: Instance #2 of Capability 0005 not found - there are only 2 capabilities with that id.", e.Message);
        e = Assert.Throws<SetpciException>(() => SetpciOperation.Parse("CAP_PM.w").Execute(a, bdf));
        Assert.Equal("0000:00:02.0: Instance #0 of Capability 0001 not found - there are no capabilities with that id.", e.Message);
        Assert.Equal(["00020001"], SetpciOperation.Parse("ECAP_AER.l").Execute(a, bdf));
    }

    [Fact]
    public void Execute_HeaderTypeRestriction()
    {
        var (a, _, _) = Fabric();
        var e = Assert.Throws<SetpciException>(() => SetpciOperation.Parse("SECONDARY_BUS").Execute(a, new Bdf(0, 1, 0)));
        Assert.Equal("0000:00:01.0: Does not have register SECONDARY_BUS.", e.Message);
    }
}
