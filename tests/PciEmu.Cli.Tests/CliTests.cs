using PciEmu.Cli;
using PciEmu.Testing;

namespace PciEmu.Cli.Tests;

public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter { NewLine = "\n" };
        var code = PciEmuCli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Demo_IsGolden()
    {
        var (code, output, err) = Run();
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, err);
        Golden.Assert("demo", "demo.txt", output);
    }

    [Fact]
    public void Demo_ShowsTheFailureAndTheFix()
    {
        var (_, output, _) = Run();
        Assert.Contains("can't assign; no space", output, StringComparison.Ordinal);
        Assert.Contains("device_add hp0 at rp1 slot 0: fails", output, StringComparison.Ordinal);
        Assert.Contains("device_add hp0 at rp1 slot 0: ok", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'nosuch' is not a valid device model name", "run", "-M", "q35", "-device", "nosuch")]
    [InlineData("Bus 'nobus' not found", "run", "-M", "q35", "-device", "pci-testdev,bus=nobus")]
    [InlineData("--emit: unknown kind 'bogus'", "run", "-M", "q35", "--emit", "bogus")]
    [InlineData("--cost: unknown profile 'warp'", "run", "--cost", "warp")]
    [InlineData("unknown firmware 'coreboot'", "run", "--firmware", "coreboot")]
    [InlineData("kernel: unknown option 'hpfoo'", "run", "--kernel", "linux,hpfoo=1")]
    [InlineData("setpci: Unknown register \"FOO\"", "run", "--setpci", "-s 00:00.0 FOO")]
    [InlineData("no such scenario file", "run", "/nonexistent/scenario.txt")]
    public void BadInput_ExitsTwo_WithOneMessageNamingTheToken(string message, params string[] args)
    {
        var (code, output, err) = Run(args);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public void Run_FirmwareAndKernel_EmitsLogsAndQueryPci()
    {
        var (code, output, err) = Run("run", "-M", "q35", "-m", "1G", "-nodefaults",
            "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1", "--firmware", "seabios", "--kernel", "linux",
            "--device-add", "pci-testdev,bus=rp1,membar=512M,id=hp0", "--emit", "firmware-log", "--emit", "hotplug", "--emit", "query-pci");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("PCIe: using q35 mmconfig at 0xb0000000", output, StringComparison.Ordinal);
        Assert.Contains("device_add hp0 at rp1 slot 0: fails", output, StringComparison.Ordinal);
        Assert.Contains("\"bus\": 1", output, StringComparison.Ordinal);
        Assert.Equal(string.Empty, err);
    }

    [Fact]
    public void Run_ScenarioFile_ExpectationsDecideTheExitCode()
    {
        var dir = Directory.CreateTempSubdirectory("pciemu-cli");
        var ok = Path.Combine(dir.FullName, "ok.pciemu");
        File.WriteAllText(ok, """
            # the hot-plug story as a regression test
            -M q35
            -m 1G
            -nodefaults
            -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1
            firmware seabios
            kernel linux
            device_add pci-testdev,bus=rp1,membar=512M,id=hp0
            expect hotplug hp0 fails
            expect reg 00:01.0 COMMAND & 0x2
            setpci -s 00:01.0 BRIDGE_CONTROL=0x10
            expect reg 00:01.0 BRIDGE_CONTROL == 0x10
            """);
        var (code, output, err) = Run("run", ok, "--emit", "hotplug");
        Assert.True(code == ExitCodes.Ok, err + output);
        Assert.Contains("expect hotplug hp0 fails: PASS", output, StringComparison.Ordinal);

        var bad = Path.Combine(dir.FullName, "bad.pciemu");
        File.WriteAllText(bad, File.ReadAllText(ok).Replace("expect hotplug hp0 fails", "expect hotplug hp0 ok", StringComparison.Ordinal));
        (code, output, _) = Run("run", bad, "--emit", "hotplug");
        Assert.Equal(ExitCodes.ExpectationFailed, code);
        Assert.Contains("expect hotplug hp0 ok: FAIL", output, StringComparison.Ordinal);

        var typo = Path.Combine(dir.FullName, "typo.pciemu");
        File.WriteAllText(typo, "-M q35\nfirmwre seabios\n");
        (code, _, var e2) = Run("run", typo);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("typo.pciemu:2", e2, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_FilteredByRegister_ShowsTheWindowSizingWrite()
    {
        var (code, output, _) = Run("run", "-M", "q35", "-m", "1G", "-nodefaults",
            "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1", "--firmware", "seabios",
            "--emit", "trace", "--trace-bdf", "00:01.0", "--trace-reg", "PREF_MEMORY_BASE-0x2f");
        Assert.Equal(ExitCodes.Ok, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains("PHASE", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Contains(" 00:01.0 ", l, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("W2 00:01.0 @024 PREF_MEMORY_BASE", StringComparison.Ordinal) && l.Contains("seabios", StringComparison.Ordinal));
        Golden.Assert("trace", "q35-rootport-pref-window.txt", output);
    }

    [Fact]
    public void Profile_TableAndSvg()
    {
        var svg = Path.Combine(Path.GetTempPath(), $"pciemu-{Guid.NewGuid():n}.svg");
        var (code, output, _) = Run("run", "-M", "pc", "-m", "1G", "-nodefaults", "-device", "pci-bridge,id=br1,chassis_nr=1",
            "-device", "pci-testdev,bus=br1,addr=1", "--firmware", "seabios", "--kernel", "linux", "--cost", "kvm",
            "--emit", "profile", "--emit", $"profile-svg={svg}");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.StartsWith("cost model: kvm;", output, StringComparison.Ordinal);
        Assert.Contains("linux: boot", output, StringComparison.Ordinal);
        Assert.Contains("<svg", File.ReadAllText(svg), StringComparison.Ordinal);
        Golden.Assert("profile", "pc-bridge-kvm.txt", output);
    }
}

public class TestCommandTests
{
    [Fact]
    public void ShippedScenarios_AllPass_AndMatchTheRealOutcomes()
    {
        var o = new StringWriter { NewLine = "\n" };
        var code = PciEmuCli.Run(["test", Path.Combine(Golden.RepoRoot(), "scenarios")], o, new StringWriter());
        Assert.True(code == ExitCodes.Ok, o.ToString());
        var shipped = Directory.GetFiles(Path.Combine(Golden.RepoRoot(), "scenarios"), "*.pciemu").Length;
        Assert.True(shipped >= 8, $"{shipped} scenario files");
        Assert.EndsWith($"{shipped} passed, 0 failed\n", o.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FailingAndBrokenFiles_AreReportedPerFile()
    {
        var dir = Directory.CreateTempSubdirectory("pciemu-test");
        File.WriteAllText(Path.Combine(dir.FullName, "a-ok.pciemu"), "-M pc\n-nodefaults\nexpect reg 00:00.0 VENDOR_ID == 0x8086\n");
        File.WriteAllText(Path.Combine(dir.FullName, "b-fail.pciemu"), "-M pc\n-nodefaults\nexpect reg 00:00.0 VENDOR_ID == 0x1234\n");
        File.WriteAllText(Path.Combine(dir.FullName, "c-broken.pciemu"), "-M pc\n-device nosuch\n");
        var o = new StringWriter { NewLine = "\n" };
        var code = PciEmuCli.Run(["test", dir.FullName], o, new StringWriter());
        var text = o.ToString();
        Assert.Equal(ExitCodes.ExpectationFailed, code);
        Assert.Contains("PASS     a-ok.pciemu", text, StringComparison.Ordinal);
        Assert.Contains("FAIL     b-fail.pciemu", text, StringComparison.Ordinal);
        Assert.Contains("ERROR    c-broken.pciemu", text, StringComparison.Ordinal);
        Assert.Contains("'nosuch' is not a valid device model name", text, StringComparison.Ordinal);
        Assert.EndsWith("1 passed, 2 failed\n", text, StringComparison.Ordinal);
    }
}

public class ScenarioRunGoldenTests
{
    [Fact]
    public void ShippedScenario_Run_IsGolden()
    {
        var file = Path.Combine(Golden.RepoRoot(), "scenarios", "q35-native-hotplug-512M-ok.pciemu");
        var o = new StringWriter { NewLine = "\n" };
        var code = PciEmuCli.Run(["run", file, "--emit", "hotplug", "--emit", "kernel-log", "--emit", "cycles"], o, new StringWriter());
        Assert.Equal(ExitCodes.Ok, code);
        Golden.Assert("scenario-run", "q35-native-hotplug-512M-ok.txt", o.ToString());
    }
}

public class DeviceDelTests
{
    [Fact]
    public void DeviceDel_NativePcie_PowersOffAndFreesTheWindowSpace()
    {
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter();
        var code = PciEmuCli.Run(["run", "-M", "q35", "-m", "1G", "-nodefaults", "-global", "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off",
            "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1", "--firmware", "seabios", "--kernel", "linux",
            "--device-add", "pci-testdev,bus=rp1,membar=1M,id=hp0", "--device-del", "hp0",
            "--device-add", "pci-testdev,bus=rp1,membar=1M,id=hp1", "--emit", "hotplug", "--emit", "kernel-log"], o, e);
        var text = o.ToString();
        Assert.True(code == ExitCodes.Ok, e.ToString() + text);
        Assert.Contains("device_del hp0: removed 01:00.0", text, StringComparison.Ordinal);
        Assert.Contains("pciehp: Slot(0): Button press: will power off in 5 sec", text, StringComparison.Ordinal);
        Assert.Contains("device_add hp1 at rp1 slot 0: ok", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DeviceDel_UnknownId_IsBadInput()
    {
        var e = new StringWriter();
        var code = PciEmuCli.Run(["run", "-M", "q35", "-nodefaults", "--firmware", "seabios", "--kernel", "linux", "--device-del", "nosuch"], new StringWriter(), e);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("nosuch", e.ToString(), StringComparison.Ordinal);
    }
}
