using System.Text;
using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;
using PciEmu.Platform;

namespace PciEmu.Firmware.Edk2.Tests;

/// <summary>
/// OVMF's PEI apertures (PlatformInitLib MemDetect.c / Platform.c) from fw_cfg and CPUID, with the numbers worked out
/// from the edk2-stable202211 and 202608 sources (../shared/reference/edk2-pci.md §4.2).
/// </summary>
public class OvmfPlatformTests
{
    private const ulong GiB = 1UL << 30;
    private static readonly OvmfCpuId Qemu64 = new() { Vendor = "AuthenticAMD", PhysBits = 40 };

    private static FwCfg Cfg(ulong lowRam, ulong highRam = 0, ulong? reservedEnd = null, string? mmio64Mb = null, bool htHole = false)
    {
        var e820 = new List<E820Entry> { new(0, lowRam, E820Type.Ram) };
        if (highRam > 0) e820.Add(new E820Entry(4 * GiB, highRam, E820Type.Ram));
        if (htHole) e820.Add(new E820Entry(0xfd00000000, 0x300000000, E820Type.Reserved));
        var fw = new FwCfg();
        fw.AddFile("etc/e820", E820Entry.Encode(e820));
        if (reservedEnd is { } end) fw.AddFileU64("etc/reserved-memory-end", end);
        if (mmio64Mb is not null) fw.AddFile("opt/ovmf/X-PciMmio64Mb", Encoding.ASCII.GetBytes(mmio64Mb));
        return fw;
    }

    private static OvmfPlatformInfo Run(FwCfg fw, ushort host, OvmfCpuId? cpu = null, Edk2Version v = Edk2Version.Stable202211) =>
        new OvmfPlatform(fw, cpu ?? Qemu64, host, v).Initialize();

    [Fact]
    public void Q35_202211_Mem32StartsAboveMmconfigAt0xB0000000()
    {
        var i = Run(Cfg(GiB), OvmfPlatform.IntelQ35MchDeviceId);
        Assert.Equal(0xb0000000UL, i.PciExpressBaseAddress);
        Assert.Equal(0xc0000000UL, i.PcdPciMmio32Base);
        Assert.Equal(0xfc000000UL - 0xc0000000UL, i.PcdPciMmio32Size);
        Assert.Equal((0x6000UL, 0xa000UL), (i.PcdPciIoBase, i.PcdPciIoSize));
    }

    [Fact]
    public void Q35_202608_Mem32EndsAtMmconfigAt0xE0000000()
    {
        var i = Run(Cfg(GiB), OvmfPlatform.IntelQ35MchDeviceId, v: Edk2Version.Stable202608);
        Assert.Equal(0xe0000000UL, i.PciExpressBaseAddress);
        Assert.Equal(0x80000000UL, i.PcdPciMmio32Base);
        Assert.Equal(0x60000000UL, i.PcdPciMmio32Size);
    }

    [Theory]
    [InlineData(1UL << 30, 0x80000000UL)]
    [InlineData(0xc0000000UL, 0xc0000000UL)]
    [InlineData(0xa0000000UL, 0xc0000000UL)]
    public void Pc_Uc32Base_IsFourGiBMinusThePowerOfTwoBelowTheHole(ulong lowRam, ulong expected)
    {
        var i = Run(Cfg(lowRam), OvmfPlatform.Intel82441DeviceId);
        Assert.Equal(expected, i.PcdPciMmio32Base);
        Assert.Equal(0xfc000000UL - expected, i.PcdPciMmio32Size);
        Assert.Equal((0xc000UL, 0x4000UL), (i.PcdPciIoBase, i.PcdPciIoSize));
    }

    [Fact]
    public void TcgQemu64_AmdForty_GetsTheDynamic128GiBWindowAtTheTopEighth()
    {
        var i = Run(Cfg(GiB), OvmfPlatform.IntelQ35MchDeviceId);
        Assert.Equal(40, i.PhysMemAddressWidth);
        Assert.Equal(0xe000000000UL, i.PcdPciMmio64Base);
        Assert.Equal(128 * GiB, i.PcdPciMmio64Size);
    }

    [Fact]
    public void Intel39_Gets64GiBAt0x7000000000()
    {
        var i = Run(Cfg(GiB), OvmfPlatform.IntelQ35MchDeviceId, new OvmfCpuId { Vendor = "GenuineIntel", PhysBits = 39 });
        Assert.Equal((0x7000000000UL, 64 * GiB), (i.PcdPciMmio64Base, i.PcdPciMmio64Size));
    }

    [Fact]
    public void UntrustedWidth_KeepsTheClassic32GiBWindowAboveRam()
    {
        // AMD with 39 bits is not a known-good value: the classic window, 1 GiB then 32 GiB aligned above RAM.
        var i = Run(Cfg(2 * GiB, highRam: 2 * GiB), OvmfPlatform.Intel82441DeviceId, new OvmfCpuId { Vendor = "AuthenticAMD", PhysBits = 39 });
        Assert.Equal((0x800000000UL, 32 * GiB), (i.PcdPciMmio64Base, i.PcdPciMmio64Size));
    }

    [Fact]
    public void ReservedMemoryEnd_PushesTheClassicWindowUp()
    {
        var i = Run(Cfg(GiB, reservedEnd: 0x900000000), OvmfPlatform.Intel82441DeviceId, new OvmfCpuId { Vendor = "GenuineIntel", PhysBits = 40 });
        Assert.Equal((0x1000000000UL, 32 * GiB), (i.PcdPciMmio64Base, i.PcdPciMmio64Size));
    }

    [Fact]
    public void X_PciMmio64Mb_SetsTheClassicSize_AndA41BitCpuStillGoesDynamicIn202211()
    {
        var classic = Run(Cfg(GiB, mmio64Mb: "65536"), OvmfPlatform.Intel82441DeviceId, new OvmfCpuId { Vendor = "AuthenticAMD", PhysBits = 38 });
        Assert.Equal((0x1000000000UL, 64 * GiB), (classic.PcdPciMmio64Base, classic.PcdPciMmio64Size));
        var dyn = Run(Cfg(GiB, mmio64Mb: "65536"), OvmfPlatform.Intel82441DeviceId, new OvmfCpuId { Vendor = "AuthenticAMD", PhysBits = 41, Page1GSupport = true });
        Assert.Equal(256 * GiB, dyn.PcdPciMmio64Size);
        var kept = Run(Cfg(GiB, mmio64Mb: "65536"), OvmfPlatform.Intel82441DeviceId, new OvmfCpuId { Vendor = "AuthenticAMD", PhysBits = 41, Page1GSupport = true }, Edk2Version.Stable202608);
        Assert.Equal(64 * GiB, kept.PcdPciMmio64Size);
    }

    [Fact]
    public void NoOneGiBPages_CapsTheWidthAtForty()
    {
        var i = Run(Cfg(GiB), OvmfPlatform.IntelQ35MchDeviceId, new OvmfCpuId { Vendor = "GenuineIntel", PhysBits = 46 });
        Assert.Equal(40, i.PhysMemAddressWidth);
    }

    [Fact]
    public void Edk2_202608_MovesTheWindowBelowTheAmdHyperTransportReservation()
    {
        Assert.Equal(0xe000000000UL, Run(Cfg(GiB, htHole: true), OvmfPlatform.IntelQ35MchDeviceId).PcdPciMmio64Base);
        Assert.Equal(0xc000000000UL, Run(Cfg(GiB, htHole: true), OvmfPlatform.IntelQ35MchDeviceId, v: Edk2Version.Stable202608).PcdPciMmio64Base);
    }

    private static Machine Build(MachineType type, params DeviceRequest[] devices)
    {
        var b = new MachineBuilder().WithType(type).WithRam(GiB).WithCatalog(DevicesCatalog.Instance);
        foreach (var d in devices) b.AddDevice(d);
        return b.Build();
    }

    private static DeviceRequest RootPort(string id, params (string, string)[] props) =>
        new() { Driver = "pcie-root-port", Id = id, Bus = "pcie.0", Properties = [new("chassis", "1"), .. props.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2))] };

    private static OvmfResult RunOvmf(Machine m, Edk2Version v = Edk2Version.Stable202211) =>
        Edk2Firmware.RunOvmf(new OvmfEnvironment { Cf8Cfc = m.Cf8, Ecam = m.EcamAt, FwCfg = m.FwCfg }, new Edk2Options { Version = v });

    [Fact]
    public void Q35_EmptyRootPort_Gets2MiBMem_512MiBPref64_AndEveryFunctionEnabled()
    {
        var m = Build(MachineType.Q35, RootPort("rp1"));
        var r = RunOvmf(m);
        Assert.True(r.Pci.Succeeded);
        var ecam = m.EcamAt(0xb0000000);
        var rp = new Bdf(0, 1, 0);
        Assert.Equal(0xc000, ecam.Read16(rp, Type1Header.MemoryBase.Offset));
        Assert.Equal(0xc010, ecam.Read16(rp, Type1Header.MemoryLimit.Offset));
        Assert.Equal(0xe0u, ecam.Read32(rp, Type1Header.PrefBaseUpper32.Offset));
        Assert.Equal(0x1ff1, ecam.Read16(rp, Type1Header.PrefMemoryLimit.Offset));
        Assert.Equal(0x7, ecam.Read16(rp, CommonHeader.Command.Offset) & 0x7);
        Assert.Equal(0x7, ecam.Read16(new Bdf(0, 0x1f, 2), CommonHeader.Command.Offset) & 0x7);
        // SetPciIntLine: pin A of 00:01.0 on q35 → index (0 + 1) % 4 → LNKB → 0x0A.
        Assert.Equal(0x0a, ecam.Read8(rp, CommonHeader.InterruptLine.Offset));
    }

    [Fact]
    public void Pc_UsesCf8_TheIoWindowAt0xC000_AndNoDefaultPrefWhenTheApertureIs32GiB()
    {
        var m = new MachineBuilder().WithType(MachineType.Pc).WithRam(GiB).WithCatalog(DevicesCatalog.Instance)
            .AddDevice(new DeviceRequest { Driver = "pci-bridge", Id = "b1", Properties = [new("chassis_nr", "1"), new("addr", "3")] }).Build();
        var r = Edk2Firmware.RunOvmf(new OvmfEnvironment { Cf8Cfc = m.Cf8, Ecam = m.EcamAt, FwCfg = m.FwCfg, Cpu = new OvmfCpuId { Vendor = "AuthenticAMD", PhysBits = 39 } });
        Assert.True(r.Pci.Succeeded);
        Assert.Equal(32 * GiB, r.Platform.PcdPciMmio64Size);
        var bridge = new Bdf(0, 3, 0);
        Assert.Equal(0xc0, m.Cf8.Read8(bridge, Type1Header.IoBase.Offset) & 0xf0);
        // No default pref padding with a 32 GiB aperture: the pref window stays closed.
        Assert.True(m.Cf8.Read16(bridge, Type1Header.PrefMemoryBase.Offset) > m.Cf8.Read16(bridge, Type1Header.PrefMemoryLimit.Offset));
    }
}
