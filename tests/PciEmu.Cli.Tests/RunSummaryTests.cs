namespace PciEmu.Cli.Tests;

/// <summary><c>pciemu run</c> without --emit prints a short, stable summary; <c>-M help</c> / <c>--firmware help</c> list the kinds.</summary>
public sealed class RunSummaryTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter { NewLine = "\n" };
        var code = PciEmuCli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Run_WithoutEmit_PrintsMachineFunctionsFirmwareKernelAndOneLinePerHotplugStep()
    {
        var (code, output, _) = Run("run", "-M", "q35", "-m", "512M", "-device", "pcie-root-port,id=rp1,chassis=1",
            "--firmware", "seabios", "--kernel", "linux", "--device-add", "e1000e,bus=rp1,id=nic1", "--device-del", "nic1");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(
            "machine: pc-q35-7.2 (Standard PC (Q35 + ICH9, 2009))\n" +
            "functions: 7\n" +
            "firmware: seabios: ok\n" +
            "kernel: 6 functions with resources, all BARs assigned\n" +
            "hotplug: device_add nic1 at rp1 slot 0: ok\n" +
            "hotplug: device_del nic1: removed 01:00.0\n", output);
    }

    [Fact]
    public void Run_WithoutEmit_NamesTheBarsTheKernelFailedToAssign()
    {
        var (_, output, _) = Run("run", "-M", "q35", "-nodefaults", "-device", "pci-testdev,membar=8E", "-device", "pci-testdev,membar=8E",
            "--firmware", "seabios", "--kernel", "linux");
        Assert.Contains("kernel: 5 functions with resources, 1 BARs not assigned (0000:00:02.0 BAR 2)\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithoutEmit_OnFirmwarePanic_PrintsThePanicAndNoKernel()
    {
        var (code, output, err) = Run("run", "-M", "q35", "-m", "128M", "-nodefaults", "-device", "VGA,vgamem_mb=512", "-device", "VGA,vgamem_mb=512",
            "--firmware", "seabios", "--kernel", "linux");
        Assert.Equal(ExitCodes.FirmwareFailure, code);
        Assert.Equal("PCI: out of 32bit address space\n", err);
        Assert.Contains("firmware: seabios: panic: PCI: out of 32bit address space\nkernel: not booted (firmware failed)\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void MachineHelp_PrintsQemusListAndExitsZero()
    {
        var (code, output, _) = Run("run", "-M", "help");
        Assert.Equal(ExitCodes.Ok, code);
        var lines = output.Split('\n');
        Assert.Equal("Supported machines are:", lines[0]);
        // machine_class_cmp sorts family pc_piix by decreasing strcmp: the xenfv types (QEMU with CONFIG_XEN) come first.
        // xenfv is the alias of xenfv-3.1 (xenfv_3_1_machine_options), printed just before that type.
        Assert.Equal("xenfv-4.2            Xen Fully-virtualized PC", lines[1]);
        Assert.Equal("xenfv                Xen Fully-virtualized PC (alias of xenfv-3.1)", lines[2]);
        Assert.Equal("xenfv-3.1            Xen Fully-virtualized PC", lines[3]);
        Assert.Equal("pc                   Standard PC (i440FX + PIIX, 1996) (alias of pc-i440fx-7.2)", lines[4]);
        Assert.Equal("pc-i440fx-7.2        Standard PC (i440FX + PIIX, 1996) (default)", lines[5]);
        // machine_class_cmp: decreasing strcmp inside a family, so 2.2 sorts before 2.12.
        Assert.True(Array.IndexOf(lines, "pc-i440fx-2.2        Standard PC (i440FX + PIIX, 1996)")
                    < Array.IndexOf(lines, "pc-i440fx-2.12       Standard PC (i440FX + PIIX, 1996)"));
        Assert.Contains("q35                  Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-7.2)", lines);
    }

    [Fact]
    public void FirmwareHelp_ListsFirmwareKindsAndExitsZero()
    {
        var (code, output, _) = Run("run", "--firmware", "help");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.StartsWith("Supported firmware is:\nseabios ", output, StringComparison.Ordinal);
        Assert.Contains("\nhvmloader            Xen hvmloader pci_setup", output, StringComparison.Ordinal);
    }

    [Fact]
    public void MachineHelp_ListsArmVirtTypes()
    {
        var (code, output, _) = Run("run", "-M", "help");
        Assert.Equal(ExitCodes.Ok, code);
        var lines = output.Split('\n');
        Assert.Contains("virt                 QEMU 11.1 ARM Virtual Machine (alias of virt-11.1)", lines);
        Assert.Contains("virt-7.2             QEMU 7.2 ARM Virtual Machine", lines);
    }

    [Fact]
    public void FirmwareHelp_ListsEdk2()
    {
        var (code, output, _) = Run("run", "--firmware", "help");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("\nedk2                 EDK2 ArmVirtQemu", output, StringComparison.Ordinal);
    }
}

