using PciEmu.Cli;

namespace PciEmu.Robustness.Tests;

/// <summary>
/// Address-space exhaustion ends in SeaBIOS 1.16.2's own panic text (pci_bios_map_devices), printed verbatim by the
/// CLI with exit code 3. SeaBIOS 1.16.2 has no 64-bit limit: exhausting it wraps silently, which the invariant
/// checker reports (run --check exits 1).
/// </summary>
public class OutOfSpaceTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter { NewLine = "\n" };
        var code = PciEmuCli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>Each SHPC bridge reserves 4 KiB of I/O; pc panics once the root I/O sum reaches 0x9000 - 0x1000.</summary>
    private static string[] Bridges(string machine, string driver, int count, int firstSlot) =>
        [.. new[] { "run", "-M", machine, "-nodefaults", "--firmware", "seabios", "--kernel", "linux" }
            .Concat(Enumerable.Range(firstSlot, count).SelectMany(i => new[] { "-device", $"{driver},id=b{i},addr=0x{i:x}{(driver == "pci-bridge" ? $",chassis_nr={i}" : string.Empty)}" }))];

    [Theory]
    [InlineData("pc", "pci-bridge", 9)]
    [InlineData("q35", "pcie-pci-bridge", 15)]
    public void IoSpaceExhausted_PanicsWithSeaBiosText_ExitThree(string machine, string driver, int count)
    {
        var (code, output, err) = Run(Bridges(machine, driver, count, 2));
        Assert.Equal(ExitCodes.FirmwareFailure, code);
        Assert.Equal("PCI: out of I/O address space\n", err);
        Assert.DoesNotContain("invariants", output, StringComparison.Ordinal);
    }

    [Fact]
    public void OneBridgeFewer_FitsTheIoSpace()
    {
        var (code, _, err) = Run([.. Bridges("pc", "pci-bridge", 7, 2), "--check"]);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, err);
    }

    [Theory]
    [InlineData("q35", "128M")]
    [InlineData("pc", "3G")]
    public void ThirtyTwoBitWindowExhausted_PanicsWithSeaBiosText_ExitThree(string machine, string ram)
    {
        // 32-bit prefetchable BARs cannot move to the 64-bit window, so 2 x 512 MiB VGA do not fit in the ~1 GiB hole.
        var (code, _, err) = Run("run", "-M", machine, "-m", ram, "-nodefaults", "-device", "VGA,vgamem_mb=512", "-device", "VGA,vgamem_mb=512", "--firmware", "seabios");
        Assert.Equal(ExitCodes.FirmwareFailure, code);
        Assert.Equal("PCI: out of 32bit address space\n", err);
    }

    [Fact]
    public void CheckCommand_OnExhaustedSpace_ExitsThree()
    {
        var (code, _, err) = Run("check", "-M", "q35", "-nodefaults", "-device", "VGA,vgamem_mb=512", "-device", "VGA,vgamem_mb=512");
        Assert.Equal(ExitCodes.FirmwareFailure, code);
        Assert.Equal("PCI: out of 32bit address space\n", err);
    }

    [Fact]
    public void SixtyFourBitWindowExhausted_NoPanicIn1162_CheckerReportsTheWrap()
    {
        string[] args = ["run", "-M", "q35", "-nodefaults", "-device", "pci-testdev,membar=8E", "-device", "pci-testdev,membar=8E", "--firmware", "seabios", "--kernel", "linux"];
        var (plain, _, _) = Run(args);
        Assert.Equal(ExitCodes.Ok, plain);
        var (code, output, err) = Run([.. args, "--check"]);
        Assert.Equal(ExitCodes.ExpectationFailed, code);
        // One violation: 00:01.0's BAR at 0x8000000000000000 ends at 2^64 - 1, which pci_bar_address treats as unmapped,
        // so QEMU's 64-bit hole (pci_bus_get_w64_range) stays the default and the kernel cannot claim either BAR.
        Assert.Contains("invariants: 1 violated", output, StringComparison.Ordinal);
        Assert.Contains("firmware-kernel: 00:02.0 BAR2: firmware mapped it at 0x0, the kernel did not claim it", err, StringComparison.Ordinal);
    }
}
