using PciEmu.Core;

namespace PciEmu.Core.Tests;

public class CapabilityAndBdfTests
{
    [Fact]
    public void AddCapability_FirstFit_Prepends_AndMakesCapReadOnly()
    {
        var c = new ConfigSpace(ConfigSpace.ExpressSize);
        c.WriteMask[0x40..].Fill(0xff);
        var caps = new CapabilityListBuilder(c);
        Assert.Equal(0x40, caps.Add(CapabilityId.SubsystemVendor, 0, 8));
        Assert.Equal(0x48, caps.Add(CapabilityId.MsiX, 0, 12));
        Assert.Equal(0x54, caps.Add(CapabilityId.Express, 0, 0x3c));
        Assert.Equal(0x54, c.GetByte(CommonHeader.CapabilityList.Offset));
        Assert.Equal(0x48, c.GetByte(0x55));
        Assert.Equal(0x40, c.GetByte(0x49));
        Assert.Equal(0x00, c.GetByte(0x41));
        Assert.NotEqual(0, c.GetWord(CommonHeader.Status.Offset) & (ushort)StatusBits.CapList);
        Assert.Equal(0u, c.GetWriteMask(0x54, 4));
        Assert.Equal(0xffu, c.GetWriteMask(0x90, 1));
        var walk = CapabilityListBuilder.Walk(c.ReadOnlyData);
        Assert.Equal(new[] { 0x54, 0x48, 0x40 }, walk.Select(x => x.Offset));
        Assert.Equal("CAP_EXP", walk[0].SetpciName);
    }

    [Fact]
    public void AddCapability_UsedRoundedToDwords_NextAllocationAligned()
    {
        var c = new ConfigSpace(ConfigSpace.ConventionalSize);
        var caps = new CapabilityListBuilder(c);
        caps.Add(CapabilityId.Shpc, 0, 8);
        caps.Add(CapabilityId.SlotId, 0, 3);
        Assert.Equal(0x4c, caps.Add(CapabilityId.Msi, 0, 0x18));
    }

    [Fact]
    public void AddCapability_ExplicitOverlap_Throws()
    {
        var c = new ConfigSpace(ConfigSpace.ConventionalSize);
        var caps = new CapabilityListBuilder(c);
        caps.Add(CapabilityId.Msi, 0x60, 0x14);
        Assert.Throws<InvalidOperationException>(() => caps.Add(CapabilityId.Express, 0x70, 0x3c));
    }

    [Fact]
    public void ExtendedCapabilities_AreAppended()
    {
        var c = new ConfigSpace(ConfigSpace.ExpressSize);
        var caps = new CapabilityListBuilder(c);
        caps.AddExtended(ExtCapabilityId.Aer, 2, 0x100, 0x48);
        caps.AddExtended(ExtCapabilityId.Acs, 1, 0x148, 8);
        Assert.Equal(0x14820001u, c.GetLong(0x100));
        Assert.Equal(0x0001000du, c.GetLong(0x148));
        var walk = CapabilityListBuilder.Walk(c.ReadOnlyData);
        Assert.Equal(new[] { "ECAP_AER", "ECAP_ACS" }, walk.Select(x => x.SetpciName));
    }

    [Theory]
    [InlineData("00:1c.0", 0, 0x1c, 0)]
    [InlineData("0000:02:00.7", 2, 0, 7)]
    [InlineData("ff:1f.7", 0xff, 0x1f, 7)]
    public void Bdf_ParseAndFormat_RoundTrip(string text, int bus, int dev, int fn)
    {
        var b = Bdf.Parse(text);
        Assert.Equal(new Bdf(bus, dev, fn), b);
        Assert.Equal(text.Length > 7 ? text[5..] : text, b.ToString());
        Assert.Equal($"0000:{bus:x2}:{dev:x2}.{fn}", b.ToString("D", null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("00:20.0")]
    [InlineData("00:1f.8")]
    [InlineData("100:00.0")]
    [InlineData("0001:00:00.0")]
    [InlineData("zz:00.0")]
    public void Bdf_Parse_RejectsBadInput(string text) => Assert.False(Bdf.TryParse(text, out _));

    [Fact]
    public void Bdf_SeaBiosValueEncoding()
    {
        Assert.Equal(0x0108, new Bdf(1, 1, 0).Value);
        Assert.Equal(new Bdf(0, 0x1f, 3), Bdf.FromValue(0xfb));
    }
}
