using PciEmu.Fabric.FirmwareTables;
using PciEmu.Scenarios.Running;

namespace PciEmu.Scenarios.Tests.Running;

/// <summary>
/// max-ram-below-4g, maxmem/slots and pci-hole64-size reach the kernel's root windows through the machine's tables,
/// with the values QEMU 7.2 computes (pc_init1 / pc_q35_init RAM split, pc_memory_init device memory,
/// pc_pci_hole64_start, i440fx/q35 get_pci_hole64_end with pci_hole64_fix).
/// </summary>
public sealed class MemoryKnobTablesTests
{
    private static ScenarioRunner Boot(params string[] args)
    {
        var settings = new RunSettings();
        var scenario = ScenarioOptions.CreateParser(settings).ParseArguments([.. args, "--firmware", "seabios", "--kernel", "linux"]);
        return ScenarioRunner.Boot(new RunRequest { Scenario = scenario, Firmware = settings.Firmware, Kernel = settings.Kernel });
    }

    private static string Window(ulong start, ulong end) => $"pci_bus 0000:00: root bus resource [mem 0x{start:x8}-0x{end:x8} window]";

    [Fact]
    public void Pc_MaxRamBelow4G_Maxmem_Hole64Size_ReachRootWindows()
    {
        // pc_init1: 2 GiB RAM with max-ram-below-4g=1G → 1 GiB low, 1 GiB at 4 GiB (no gigabyte rounding below 3 GiB).
        // pc_memory_init: device memory at ROUND_UP(5 GiB, 1 GiB), (8 - 2) GiB + 2 slots × 1 GiB → ends at 13 GiB.
        // pc_pci_hole64_start = 13 GiB; get_pci_hole64_end = ROUND_UP(13 GiB + 4 GiB, 1 GiB) = 17 GiB.
        var r = Boot("-M", "pc,max-ram-below-4g=1G", "-m", "2G,slots=2,maxmem=8G", "-global", "i440FX-pcihost.pci-hole64-size=4G", "-nodefaults");
        Assert.Contains(Window(0x40000000, 0xfebfffff), r.BootKernelLog);
        Assert.Contains(Window(0x340000000, 0x43fffffff), r.BootKernelLog);
        var pci0 = Assert.Single(r.Tables!.Acpi!.HostBridges);
        Assert.Contains(new AddressWindow(WindowSpace.Memory, 13UL << 30, (17UL << 30) - 1), pci0.Windows);
    }

    [Fact]
    public void Q35_MaxRamBelow4G_Hole64Size_ReachRootWindows_AroundMcfg()
    {
        // pc_q35_init: 1 GiB RAM, lowmem 0xb0000000 lowered to max-ram-below-4g=512M → 512 MiB low, 512 MiB at 4 GiB.
        // The 32-bit hole [512 MiB, IOAPIC) loses the MCFG window; the 64-bit hole starts at ROUND_UP(4.5 GiB, 1 GiB)
        // = 5 GiB and is 1 GiB long.
        var r = Boot("-M", "q35,max-ram-below-4g=512M", "-m", "1G", "-global", "q35-pcihost.pci-hole64-size=1G", "-nodefaults");
        Assert.Contains(Window(0x20000000, 0xafffffff), r.BootKernelLog);
        Assert.Contains(Window(0xc0000000, 0xfebfffff), r.BootKernelLog);
        Assert.Contains(Window(0x140000000, 0x17fffffff), r.BootKernelLog);
        Assert.Equal(new EcamAllocation(0xb0000000, 0, 0, 0xff), Assert.Single(r.Tables!.Acpi!.Mcfg));
    }
}
