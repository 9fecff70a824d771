using System.Text.Json;
using PciEmu.Cli;
using PciEmu.Scenarios.Advice;
using PciEmu.Testing;

namespace PciEmu.Cli.Tests;

/// <summary>
/// `pciemu advise` on every recorded hot-plug that failed on the real system (the b-*, a-*, e3-* and random Linux
/// cases whose recorded verdict is "not all BARs assigned"): the advice exists, and rerunning `pciemu run` with the
/// emitted QEMU arguments and kernel parameters makes the planned hot-plug succeed. Plus the exits: nothing to do (0),
/// no change can work (1), bad input (2).
/// </summary>
public class AdviseTests
{
    public static TheoryData<string> FailingCases()
    {
        var names = new List<string>();
        foreach (var name in Recordings.Cases("linux.json"))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Recordings.Dir(name), "linux.json")));
            if (RecordedRun.HotplugSucceeded(doc.RootElement) == false) names.Add(name);
        }
        return Recordings.AsTheoryData(names);
    }

    [Fact]
    public void FailingHotplugCasesArePresent() =>
        Assert.True(FailingCases().Count >= 7, $"expected the recorded failing hot-plugs (b-*, e3-*, random) under {Recordings.Root}");

    [Theory]
    [MemberData(nameof(FailingCases))]
    public void Advice_MakesTheRecordedFailingHotplugSucceed(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Recordings.Dir(name), "linux.json")));
        var args = RecordedRun.Arguments(doc.RootElement, withHotplug: true);
        var scratch = Directory.CreateTempSubdirectory("pciemu-advise-");
        try
        {
            var qemuArgs = Path.Combine(scratch.FullName, "qemu-args");
            var kernelArgs = Path.Combine(scratch.FullName, "kernel-args");
            var (code, stdout, stderr) = Cli(["advise", .. args, "--emit", $"qemu-args={qemuArgs}", "--emit", $"kernel-args={kernelArgs}"]);
            if (code == ExitCodes.ExpectationFailed && name.StartsWith("random/", StringComparison.Ordinal))
            {
                // A random topology may leave nothing to reserve on the path (a switch's downstream port has no
                // reservation capability): then the verdict must say so, and the most generous kernel must fail too.
                Assert.Contains("no reservation properties on", stderr, StringComparison.Ordinal);
                var generous = args.ToList();
                var k = generous.IndexOf("--kernel") + 1;
                generous[k] += ",realloc,hpmmiosize=256M,hpmmioprefsize=16G,hpiosize=16K";
                var (_, generousSummary, _) = Cli(["run", .. generous]);
                Assert.Matches(@"hotplug: device_add \S+ at .*: fails", generousSummary);
                return;
            }
            Assert.True(code == ExitCodes.Ok, $"{name}: advise exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("advice: ", stdout, StringComparison.Ordinal);
            Assert.Contains("why:", stdout, StringComparison.Ordinal);

            // Rerun from what the advice emitted, as a user would paste it.
            var rerun = new List<string> { "run" };
            rerun.AddRange(File.ReadAllLines(qemuArgs));
            var kernel = args[args.IndexOf("--kernel") + 1];
            foreach (var line in File.ReadAllLines(kernelArgs))
            {
                Assert.StartsWith("pci=", line, StringComparison.Ordinal);
                kernel += "," + line["pci=".Length..];
            }
            rerun.AddRange(["--firmware", args[args.IndexOf("--firmware") + 1], "--kernel", kernel, "--device-add", args[args.IndexOf("--device-add") + 1]]);
            var (runCode, summary, runErr) = Cli([.. rerun]);
            Assert.True(runCode == ExitCodes.Ok, $"{name}: rerun exit {runCode}: {runErr}");
            Assert.Matches(@"hotplug: device_add \S+ at .*: ok", summary);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Fact]
    public void HotplugThatAlreadyWorks_NeedsNoChange()
    {
        var (code, stdout, _) = Cli(["advise", "-M", "q35", "-nodefaults", "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1",
            "--firmware", "seabios", "--kernel", "linux", "--device-add", "pci-testdev,bus=rp1,membar=1M,id=hp0"]);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.StartsWith("advice: no change needed", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void SlotWithoutHotplug_CannotBeHelped_ExitsOne()
    {
        var (code, stdout, stderr) = Cli(["advise", "-M", "q35", "-nodefaults", "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1,hotplug=off",
            "--firmware", "seabios", "--kernel", "linux", "--device-add", "pci-testdev,bus=rp1,membar=1M,id=hp0"]);
        Assert.Equal(ExitCodes.ExpectationFailed, code);
        Assert.Contains("advise:", stderr, StringComparison.Ordinal);
        Assert.Contains("hotplug", stderr + stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void BarLargerThanTheMachinesAddressSpace_CannotBeHelped_ExitsOne()
    {
        // The CPU's 40 physical address bits: a 1 TiB BAR fits nowhere above RAM, whatever is reserved.
        var (code, stdout, stderr) = Cli(["advise", "-M", "q35", "-m", "1G", "-nodefaults", "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1",
            "--firmware", "seabios", "--kernel", "linux", "--device-add", "pci-testdev,bus=rp1,membar=1T,id=hp0"]);
        Assert.True(code == ExitCodes.ExpectationFailed, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("advice: none", stdout, StringComparison.Ordinal);
        Assert.Contains("1T", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void HotplugBelowABridgeTheKernelNeverEnumerated_FailsWithoutCrashing()
    {
        // bus-reserve=1 leaves the switch below rp1 too few bus numbers: Linux never enumerates dp3, so the
        // device_add into dp3 reaches no driver (found while the advisor tried bus-reserve values; it used to throw).
        var (code, stdout, stderr) = Cli(["run", "-M", "q35", "-m", "1G", "-nodefaults",
            "-device", "pcie-root-port,id=rp1,bus=pcie.0,addr=0x15.0,chassis=175,slot=183,multifunction=on,bus-reserve=1",
            "-device", "x3130-upstream,id=up1,bus=rp1",
            "-device", "xio3130-downstream,id=dp1,bus=up1,chassis=31,slot=85", "-device", "virtio-net-pci,id=vnet1,bus=dp1",
            "-device", "xio3130-downstream,id=dp2,bus=up1,chassis=121,slot=94", "-device", "pci-testdev,id=td1,bus=dp2,membar=128K",
            "-device", "xio3130-downstream,id=dp3,bus=up1,chassis=231,slot=222", "-device", "xio3130-downstream,id=dp4,bus=up1,chassis=139,slot=119",
            "--firmware", "seabios", "--kernel", "linux", "--device-add", "pci-testdev,bus=dp3,membar=32M,id=hp0"]);
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {stderr}");
        Assert.Matches(@"hotplug: device_add hp0 at dp3 slot 0: fails", stdout);
    }

    [Fact]
    public void MalformedDevice_IsBadInput_ExitsTwo()
    {
        var (code, _, stderr) = Cli(["advise", "-M", "q35", "-device", "pcie-root-port,id=rp1,bogus=1", "--device-add", "pci-testdev,bus=rp1,id=hp0"]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("bogus", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void NoPlannedHotplug_IsBadInput_ExitsTwo()
    {
        var (code, _, stderr) = Cli(["advise", "-M", "q35", "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1"]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--device-add", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_CarriesTheChangesAndTheAmendedQemuArguments()
    {
        var (code, stdout, _) = Cli(["advise", "-M", "q35", "-m", "1G", "-nodefaults", "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1",
            "--firmware", "seabios", "--kernel", "linux", "--device-add", "pci-testdev,bus=rp1,membar=512M,id=hp0", "--json"]);
        Assert.Equal(ExitCodes.Ok, code);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("advice", root.GetProperty("status").GetString());
        var change = Assert.Single(root.GetProperty("changes").EnumerateArray());
        Assert.Equal("rp1", change.GetProperty("where").GetString());
        var qemu = root.GetProperty("qemu_args").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.Contains(qemu, a => a!.StartsWith("pcie-root-port,id=rp1,", StringComparison.Ordinal) && a.Contains(change.GetProperty("name").GetString() + "=", StringComparison.Ordinal));
        Assert.True(root.GetProperty("reserved_bytes").GetUInt64() >= 512UL << 20);
    }

    [Fact]
    public void OptionList_SetsAPropertyOnTheNamedDeviceOnly_AndKeepsEscapes()
    {
        var o = OptionList.FromArguments(["-M", "q35", "-device", "pcie-root-port,id=rp1,bus=pcie.0,mem-reserve=1M", "-device", "pci-testdev,id=t,bus=rp1,romfile=a,,b"]);
        var changed = o.WithDeviceProperty("rp1", "mem-reserve", "8M").WithDeviceProperty("t", "membar", "4M");
        var args = changed.QemuArguments();
        Assert.Equal(["-M", "q35", "-device", "pcie-root-port,id=rp1,bus=pcie.0,mem-reserve=8M", "-device", "pci-testdev,id=t,bus=rp1,romfile=a,,b,membar=4M"], args);
        Assert.Equal("linux,v6.1,hpmmiosize=2M", OptionList.FromArguments(["--kernel", "linux,v6.1"]).WithKernelOption("hpmmiosize", "2M").Find("kernel"));
    }

    [Theory]
    [InlineData(1UL << 20, "1M")]
    [InlineData(1536UL << 20, "1536M")]
    [InlineData(4096UL, "4K")]
    [InlineData(3UL << 30, "3G")]
    [InlineData(100UL, "100")]
    public void Sizes_AreWrittenInQemusSizeSyntax(ulong bytes, string text) => Assert.Equal(text, Advisor.Size(bytes));

    private static (int Code, string Stdout, string Stderr) Cli(string[] args)
    {
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter();
        var code = PciEmuCli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }
}
