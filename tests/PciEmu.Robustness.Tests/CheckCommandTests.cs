using PciEmu.Cli;

namespace PciEmu.Robustness.Tests;

/// <summary><c>pciemu check</c> and <c>pciemu run … --check</c>: exit 0 when the invariants hold, 1 with each violation named.</summary>
public class CheckCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter { NewLine = "\n" };
        var code = PciEmuCli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Check_CleanTopology_ExitsZero()
    {
        var (code, output, err) = Run("check", "-M", "q35", "-nodefaults", "-device", "pcie-root-port,id=rp,chassis=1,mem-reserve=64M", "-device", "e1000e,bus=rp");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("invariants: ok\n", output);
        Assert.Equal(string.Empty, err);
    }

    [Fact]
    public void Check_SeaBiosUnalignedIoReserve_ExitsOne_NamingTheBars()
    {
        var (code, output, err) = Run("check", "-M", "q35", "-nodefaults", "-device", "pcie-root-port,id=rp,chassis=1,addr=3.0,io-reserve=2K",
            "-device", "e1000,addr=4.0");
        Assert.Equal(ExitCodes.ExpectationFailed, code);
        Assert.StartsWith("invariants: ", output, StringComparison.Ordinal);
        Assert.Contains("invariant violated: firmware-kernel: 00:04.0 BAR1: firmware mapped it at 0xc800", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_KnownUpstreamOnly_ExitsZero_WithWarnings()
    {
        var (code, output, err) = Run("check", "-M", "q35", "-nodefaults", "-device", "pcie-root-port,id=rp,chassis=1,io-reserve=0", "-device", "e1000e,bus=rp");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("known upstream)", output, StringComparison.Ordinal);
        Assert.Contains("pciemu: warning: invariant broken as upstream breaks it:", err, StringComparison.Ordinal);
    }

    [Fact]
    public void RunCheck_AfterASetpciThatBreaksABar_ExitsOne()
    {
        var (code, _, err) = Run("run", "-M", "pc", "-nodefaults", "-device", "e1000,addr=3", "--firmware", "seabios", "--kernel", "linux",
            "--setpci", "-s 00:03.0 BASE_ADDRESS_0=fe000000", "--check");
        Assert.Equal(ExitCodes.ExpectationFailed, code);
        Assert.Contains("invariant violated: kernel-config: 00:03.0 BAR0", err, StringComparison.Ordinal);
    }
}
