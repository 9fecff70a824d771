using PciEmu.Platform;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Tests;

public class TopologyParserTests
{
    private static Scenario Parse(params string[] args) => new TopologyParser().ParseArguments(args);

    private static TopologyException Fails(params string[] args) => Assert.Throws<TopologyException>(() => Parse(args).Build(DevicesCatalog.Instance));

    [Fact]
    public void QemuOpts_ImpliedDriver_DoubleCommaEscape_Flags()
    {
        var warnings = new List<string>();
        var o = QemuOpts.Parse("pci-testdev,romfile=a,,b.rom,multifunction,noshpc", "driver", warnings);
        Assert.Equal([new QemuOpt("driver", "pci-testdev"), new QemuOpt("romfile", "a,b.rom"), new QemuOpt("multifunction", "on"), new QemuOpt("shpc", "off")], o);
        Assert.Equal(2, warnings.Count);
        Assert.StartsWith("short-form boolean option 'multifunction' deprecated", warnings[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Device_SplitsDriverIdBusAndProperties()
    {
        var s = Parse("-M", "q35", "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=1c.0,pref64-reserve=1G");
        var d = Assert.Single(s.Devices).Device;
        Assert.Equal("pcie-root-port", d.Driver);
        Assert.Equal("rp1", d.Id);
        Assert.Equal("pcie.0", d.Bus);
        Assert.Equal([new("chassis", "1"), new("addr", "1c.0"), new KeyValuePair<string, string>("pref64-reserve", "1G")], d.Properties);
        Assert.Equal("-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=1c.0,pref64-reserve=1G", s.Devices[0].Token);
    }

    [Theory]
    [InlineData("pc", "pc", 7, 2)]
    [InlineData("q35", "q35", 7, 2)]
    [InlineData("pc-q35-7.2", "q35", 7, 2)]
    [InlineData("pc-i440fx-7.2", "pc", 7, 2)]
    [InlineData("pc-q35-6.0", "q35", 6, 0)]
    [InlineData("pc-i440fx-2.12", "pc", 2, 12)]
    [InlineData("type=q35,max-ram-below-4g=1G", "q35", 7, 2)]
    public void Machine_AcceptsQemusNamesAndAliases(string arg, string kind, int major, int minor)
    {
        var s = Parse("-M", arg);
        Assert.Equal(new MachineType(MachineKinds.All.Single(k => k.Name == kind), major, minor), s.Machine);
    }

    [Theory]
    [InlineData("1G", 1UL << 30)]
    [InlineData("1024", 1UL << 30)]
    [InlineData("512M", 512UL << 20)]
    [InlineData("4096k", 4UL << 20)]
    [InlineData("1.5G", 3UL << 29)]
    [InlineData("size=2G", 2UL << 30)]
    [InlineData("0", 128UL << 20)]
    [InlineData("100000000B", 100007936UL)]
    public void Memory_ParsesLikeVl(string arg, ulong bytes) => Assert.Equal(bytes, Parse("-m", arg).RamSize);

    [Fact]
    public void Memory_SuffixlessHexIsMebibytes_AsQemusLegacyFixup()
    {
        Assert.Equal(0x40UL << 20, Parse("-m", "0x40").RamSize);
        Assert.Equal(2UL << 30, Parse("-m", "1G,slots=2,maxmem=2G").MaxRamSize);
    }

    public static TheoryData<string[], string, string> Errors() => new()
    {
        { ["-M", "sun4m"], "-M sun4m", "unsupported machine type\nUse -machine help to list supported machines" },
        { ["-M", "pc-q35-1.0"], "-M pc-q35-1.0", "unsupported machine type\nUse -machine help to list supported machines" },
        { ["-M", "q35,foo=1"], "-M q35,foo=1", "Property 'pc-q35-7.2-machine.foo' not found" },
        { ["-m", "lots"], "-m lots", "Parameter 'size' expects a non-negative number below 2^64\nOptional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\nand exabytes, respectively." },
        { ["-m", "0x10M"], "-m 0x10M", "Parameter 'size' expects a non-negative number below 2^64\nOptional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\nand exabytes, respectively." },
        { ["-m", "99999999999999999999"], "-m 99999999999999999999", "Value '99999999999999999999' is out of range for parameter 'size'" },
        { ["-m", "100000000000000"], "-m 100000000000000", "too large 'size' option value" },
        { ["-m", "1G,maxmem=512M"], "-m 1G,maxmem=512M", "invalid value of -m option maxmem: maximum memory size (0x20000000) must be at least the initial memory size (0x40000000)" },
        { ["-m", "1G,maxmem=2G"], "-m 1G,maxmem=2G", "invalid value of -m option: maxmem was specified, but no hotplug slots were specified" },
        { ["-m", "1G,foo=1"], "-m 1G,foo=1", "Invalid parameter 'foo'" },
        { ["-global", "garbage"], "-global garbage", "Invalid parameter 'garbage'" },
        { ["-global", "nonsense"], "-global nonsense", "Invalid parameter 'nsense'" }, // "no" prefix = flag off, as QEMU parses it
        { ["-global", "driver=x,property=y"], "-global driver=x,property=y", "No driver, property or value specified" },
        { ["-device", "id=x"], "-device id=x", "Parameter 'driver' is missing" },
        { ["-device", "pci-testdev,id=a", "-device", "pci-testdev,id=a"], "-device pci-testdev,id=a", "Duplicate ID 'a' for device" },
        { ["-device", "pci-testdev,id=9a"], "-device pci-testdev,id=9a", "Parameter 'id' expects an identifier" },
        { ["-bogus"], "-bogus", "invalid option" },
        { ["-device"], "-device", "requires an argument" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Parse_RejectsWithQemusWords(string[] args, string token, string message)
    {
        var e = Assert.Throws<TopologyException>(() => Parse(args));
        Assert.Equal(token, e.Token);
        Assert.Equal(message, e.Message);
    }

    public static TheoryData<string[], string, string> BuildErrors() => new()
    {
        { ["-M", "q35", "-device", "pcie-root-prot"], "-device pcie-root-prot", "'pcie-root-prot' is not a valid device model name" },
        { ["-M", "pc", "-device", "pci-testdev,bus=xyz"], "-device pci-testdev,bus=xyz", "Bus 'xyz' not found" },
        { ["-M", "pc", "-nodefaults", "-device", "e1000,addr=3", "-device", "pci-testdev,addr=3"], "-device pci-testdev,addr=3", "PCI: slot 3 function 0 not available for pci-testdev, in use by e1000,id=(null)" },
        { ["-M", "pc", "-device", "pci-testdev,foo=1"], "-device pci-testdev,foo=1", "Property 'pci-testdev.foo' not found" },
        { ["-M", "pc", "-device", "pcie-root-port,id=rp1"], "-device pcie-root-port,id=rp1", "No 'PCIE' bus found for device 'pcie-root-port'" },
        { ["-M", "pc", "-device", "pcie-root-port,id=rp1,bus=pci.0"], "-device pcie-root-port,id=rp1,bus=pci.0", "Device 'pcie-root-port' can't go on PCI bus" },
        { ["-M", "pc", "-device", "pci-testdev,membar=lots"], "-device pci-testdev,membar=lots", "Parameter 'membar' expects size" },
        { ["-M", "pc", "-device", "PIIX3"], "-device PIIX3", "Parameter 'driver' expects a pluggable device type" },
        { ["-M", "pc", "-global", "PIIX4_PM.foo=1"], "", "can't apply global PIIX4_PM.foo=1: Property 'PIIX4_PM.foo' not found" },
        { ["-M", "q35", "-global", "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=maybe"], "", "can't apply global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=maybe: Parameter 'acpi-pci-hotplug-with-bridge-support' expects 'on' or 'off'" },
        { ["-M", "q35", "-device", "pcie-root-port,id=rp1,chassis=1", "-device", "pci-testdev,bus=rp1", "-device", "pci-testdev,bus=rp1,addr=0"],
            "-device pci-testdev,bus=rp1,addr=0", "PCI: slot 0 function 0 not available for pci-testdev, in use by pci-testdev,id=(null)" },
    };

    [Theory]
    [MemberData(nameof(BuildErrors))]
    public void Build_RejectsWithQemusWords(string[] args, string token, string message)
    {
        var e = Fails(args);
        Assert.Equal(token, e.Token);
        Assert.Equal(message, e.Message);
        Assert.Equal(token.Length == 0 ? message : $"{token}: {message}", e.Display);
    }

    [Fact]
    public void Build_WithoutNodefaults_AddsVgaAndTheMachinesNic()
    {
        var pc = Parse("-M", "pc").Build(DevicesCatalog.Instance).Snapshot().Root.Functions;
        Assert.Equal(["1234:1111@2", "8086:100e@3"], pc.Where(f => f.Slot > 1).Select(f => $"{f.VendorId:x4}:{f.DeviceId:x4}@{f.Slot}"));
        var q35 = Parse("-M", "q35").Build(DevicesCatalog.Instance).Snapshot().Root.Functions;
        Assert.Equal(["1234:1111@1", "8086:10d3@2"], q35.Where(f => f.Slot is > 0 and < 0x1f).Select(f => $"{f.VendorId:x4}:{f.DeviceId:x4}@{f.Slot}"));
    }

    [Fact]
    public void Build_NoFreeSlot()
    {
        var args = new List<string> { "-M", "pc", "-nodefaults" };
        for (var i = 0; i < 31; i++) args.AddRange(["-device", "pci-testdev"]);
        var e = Fails([.. args]);
        Assert.Equal("PCI: no slot/function available for pci-testdev, all in use or reserved", e.Message);
    }

    [Fact]
    public void ScenarioFile_OneOptionPerLine_CommentsAndLocations()
    {
        const string text = """
            # a q35 with a root port
            -M q35        # the machine
            -m 2G
            -nodefaults
            -global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
            -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1
            device_add pci-testdev,bus=rp1,id=hp0,membar=512M
            device_del hp0
            """;
        var s = new TopologyParser().ParseText(text, "demo.pciemu");
        Assert.Equal(MachineType.Q35, s.Machine);
        Assert.Equal(2UL << 30, s.RamSize);
        Assert.Equal([new GlobalProperty("ICH9-LPC", "acpi-pci-hotplug-with-bridge-support", "off")], s.Globals);
        Assert.Equal("demo.pciemu:6", s.Devices.Single().Location);
        Assert.IsType<DeviceAddStep>(s.Steps[0]);
        Assert.Equal("hp0", Assert.IsType<DeviceDelStep>(s.Steps[1]).Id);
        var e = Assert.Throws<TopologyException>(() => new TopologyParser().ParseText("-M q35\n-device pci-testdev,id=1\n", "x.pciemu"));
        Assert.Equal("x.pciemu:2: -device pci-testdev,id=1: Parameter 'id' expects an identifier", e.Display);
    }

    [Fact]
    public void Parser_IsExtensibleWithNewSteps()
    {
        var p = new TopologyParser();
        var seen = new List<string>();
        p.AddOption("setpci", true, (s, arg, token) => seen.Add(arg!));
        p.ParseText("-M pc\nsetpci -s 00:01.0 COMMAND=0x7\n");
        Assert.Equal(["-s 00:01.0 COMMAND=0x7"], seen);
    }
}
