namespace PciEmu.Fabric;

/// <summary>CPU cycles charged for each kind of CPU-bus access and for each bridge a config cycle crosses.</summary>
public interface ICostModel
{
    string Name { get; }
    long PortAccess { get; }
    long MmioAccess { get; }
    long BridgeHop { get; }
}

/// <summary>A named cost profile.</summary>
public sealed record CostModel(string Name, long PortAccess, long MmioAccess, long BridgeHop) : ICostModel;

/// <summary>
/// The named profiles. Cycle figures assume a 3 GHz core; sources are in ../shared/reference/performance.md.
/// </summary>
public static class CostProfiles
{
    /// <summary>
    /// Bare metal. Port I/O ≈ 1000 cycles per IN/OUT and MMCFG ≈ 400 cycles (Yang Zhang, "X86/PCI: Prioritize MMCFG
    /// access to hardware registers", linux-pci 2025-12-16); a function behind a PCIe link adds ≈ 0.5 µs per hop
    /// (uncached MMIO-read round trips, hackingnasdaq 2014 / pcie-bench SIGCOMM 2018) = 1500 cycles.
    /// </summary>
    public static readonly CostModel BareMetal = new("bare", 1000, 400, 1500);

    /// <summary>
    /// KVM + QEMU userspace: a PIO exit to QEMU ≈ 3 µs (Lopez/Bonzini, qemu-devel 2019-07-25: 8,160 CF8/CFC reads
    /// cost 48.7 ms) = 9000 cycles; an ECAM access is one exit plus instruction emulation ≈ 3.5 µs (commit 44583cba,
    /// 720–1100 cycles of emulation) = 10500 cycles; bridges are emulated, so hops are free.
    /// </summary>
    public static readonly CostModel Kvm = new("kvm", 9000, 10500, 0);

    /// <summary>
    /// QEMU 7.2 TCG, measured on this workplace: CF8 write + CFC read ≈ 210 ns (105 ns per port access = 315 cycles),
    /// ECAM read ≈ 125 ns = 375 cycles; hops are free.
    /// </summary>
    public static readonly CostModel Tcg = new("tcg", 315, 375, 0);

    public static IReadOnlyList<CostModel> All { get; } = [BareMetal, Kvm, Tcg];

    public static CostModel? Find(string name) => name.ToLowerInvariant() switch
    {
        "bare" or "bare-metal" or "baremetal" => BareMetal,
        "kvm" => Kvm,
        "tcg" => Tcg,
        _ => null,
    };
}
