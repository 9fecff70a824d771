using PciEmu.Os.Model;

namespace PciEmu.Os;

/// <summary>The kernel ring buffer, PCI lines only, without timestamps, in the order the kernel prints them.</summary>
public sealed class KernelLog
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines => _lines;

    /// <summary>pci_info / dev_info on a PCI device: "&lt;driver or 'pci'&gt; 0000:bb:dd.f: msg".</summary>
    public void Dev(PciDev dev, string message) => _lines.Add($"{dev.Driver ?? "pci"} {dev.Name}: {message}");

    /// <summary>dev_info on a pci_bus device.</summary>
    public void Bus(PciBusNode bus, string message) => _lines.Add($"pci_bus {bus.Name}: {message}");

    /// <summary>A bare printk / pr_info line.</summary>
    public void Raw(string message) => _lines.Add(message);

    /// <summary>Lines logged since <paramref name="mark"/> (a previous <see cref="Lines"/> count).</summary>
    public IReadOnlyList<string> Since(int mark) => _lines.Skip(mark).ToArray();
}
