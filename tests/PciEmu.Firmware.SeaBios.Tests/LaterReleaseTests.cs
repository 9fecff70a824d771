using PciEmu.Core;
using PciEmu.Firmware.SeaBios.Tests.Support;
using static PciEmu.Firmware.SeaBios.Tests.Support.TestMachine;

namespace PciEmu.Firmware.SeaBios.Tests;

/// <summary>
/// The rel-1.16.3 / rel-1.17.0 64-bit window rules (seabios-pciinit.md §16), selected by SeaBiosOptions.Release.
/// Expected values are worked out from the upstream source; there are no recordings of these releases.
/// </summary>
public class LaterReleaseTests
{
    private static readonly SeaBiosOptions Rel1163 = new() { Release = SeaBiosRelease.Rel_1_16_3 };
    private static readonly SeaBiosOptions Rel1170 = new() { Release = SeaBiosRelease.Rel_1_17_0 };

    [Fact]
    public void Rel1170_RamAbove4G_PadsHotplugPrefWindowAndPlacesItAtTheTop()
    {
        var m = Q35(4 * GiB);
        m.Root.Plug(DevFn(4), new TestRootPort());
        var r = m.Run(Rel1170);

        Assert.Contains("physbits: signature=\"AuthenticAMD\", pae=yes, lm=yes, phys-bits=40, valid=yes", r.Log);
        Assert.Contains("PCI: secondary bus 1 size 20000000 type prefmem", r.PciSetupLog);
        Assert.Contains("PCI: 64: 000000e000000000 - 000000e040000000", r.PciSetupLog);
        var rp = (PciBridgeFunction)m.Function("00:04.0");
        Assert.Equal(new BridgeWindow(0xe0_0000_0000, 0xe0_1fff_ffff), rp.PrefetchableWindow);
    }

    [Fact]
    public void Rel1170_Pci64Off_KeepsThe1162Layout()
    {
        var m = Q35(4 * GiB);
        m.FwCfg.AddFile("opt/org.seabios/pci64", "off"u8.ToArray());
        m.Root.Plug(DevFn(4), new TestRootPort());
        var r = m.Run(Rel1170);

        Assert.Contains("PCI: secondary bus 1 size 00200000 type prefmem", r.PciSetupLog);
        Assert.DoesNotContain(r.PciSetupLog, l => l.StartsWith("PCI: 64:", StringComparison.Ordinal));
    }

    [Fact]
    public void Rel1170_UnknownPci64String_IsLoggedAndTheDefaultApplies()
    {
        var m = Q35(4 * GiB);
        m.FwCfg.AddFile("opt/org.seabios/pci64", "maybe"u8.ToArray());
        var r = m.Run(Rel1170);

        Assert.Contains("romfile_loadbool: unknown bool string: maybe", r.PciSetupLog);
        Assert.Contains("PCI: 64: 0000010000000000 - 0000010000000000", r.PciSetupLog); // empty: size 0, base = top
    }

    [Fact]
    public void Rel1163_NoRamAbove4G_BigBarGoesBelowTheTopOfPhysSpace()
    {
        var m = Q35(GiB);
        m.Root.Plug(DevFn(2), TestDev(membar: 4 * GiB));
        var r = m.Run(Rel1163);

        Assert.Contains("PCI: 64: 000000ff00000000 - 0000010000000000", r.PciSetupLog);
        Assert.Contains("PCI: map device bdf=00:02.0  bar 2, addr ff00000000, size 100000000 [prefmem]", r.PciSetupLog);
    }

    [Fact]
    public void Rel1163_QuirkRejectsIntel40Bits_WindowStaysAboveRam()
    {
        var m = Q35(GiB);
        m.Root.Plug(DevFn(2), TestDev(membar: 4 * GiB));
        var r = m.Run(Rel1163 with { Cpu = new SeaBiosCpu { Signature = SeaBiosCpu.IntelSignature } });

        Assert.Contains("physbits: signature=\"GenuineIntel\", pae=yes, lm=yes, phys-bits=40, valid=no", r.Log);
        Assert.Contains("PCI: 64: 0000000100000000 - 0000000200000000", r.PciSetupLog);
    }

    [Fact]
    public void Rel1163_ReservedE820EntriesAreLoggedAtLevel1()
    {
        var m = Q35(GiB);
        m.FwCfg.AddFile("etc/e820", Fabric.FirmwareTables.E820Entry.Encode(
            [new(0, GiB, Fabric.FirmwareTables.E820Type.Ram), new(0xfeffc000, 0x4000, Fabric.FirmwareTables.E820Type.Reserved)]));
        var r = m.Run(Rel1163);

        Assert.Contains("qemu/e820: addr 0x00000000feffc000 len 0x0000000000004000 [reserved]", r.Log);
        Assert.DoesNotContain("qemu/e820: addr 0x00000000feffc000 len 0x0000000000004000 [reserved]", m.Run().Log);
    }

    public static TheoryData<string, SeaBiosRelease> CasesTimesLaterReleases()
    {
        var data = new TheoryData<string, SeaBiosRelease>();
        foreach (var c in ConformanceCase.All().Where(c => c.FirmwareOnly))
        {
            data.Add(c.Name, SeaBiosRelease.Rel_1_16_3);
            data.Add(c.Name, SeaBiosRelease.Rel_1_17_0);
        }
        return data;
    }

    /// <summary>
    /// Every recorded topology under the later rules: no panic, and the same BARs are mapped and the same devices
    /// initialised as under 1.16.2 (only sizes and addresses may differ).
    /// </summary>
    [Theory]
    [MemberData(nameof(CasesTimesLaterReleases))]
    public void RecordedTopologies_RunUnderLaterReleases(string name, SeaBiosRelease release)
    {
        var c = ConformanceCase.Load(name);
        var (_, old) = ConformanceRunner.Run(c);
        var (_, now) = ConformanceRunner.Run(c, new SeaBiosOptions { Release = release });

        Assert.True(now.Outcome.IsOk, now.Outcome.Message);
        static int Maps(SeaBiosResult r) => r.PciSetupLog.Count(l => l.StartsWith("PCI: map device", StringComparison.Ordinal));
        Assert.Equal(Maps(old), Maps(now));
        Assert.Equal(old.PciSetupLog.Count(l => l.StartsWith("PCI: init bdf=", StringComparison.Ordinal)),
            now.PciSetupLog.Count(l => l.StartsWith("PCI: init bdf=", StringComparison.Ordinal)));
    }
}
