using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Firmware.SeaBios;

/// <summary>CPU port I/O as firmware issues it (outb/outl/inl). Used only for pci_probe_host and the ELCR writes.</summary>
public interface IPortIo
{
    uint In(ushort port, int width);
    void Out(ushort port, int width, uint value);
}

/// <summary>Where firmware marks its phases ("seabios: pci_bios_check_devices") so cycles can be attributed.</summary>
public interface IPhaseSink
{
    IDisposable Begin(string name);
}

/// <summary>
/// SeaBIOS's heap zones as intel_igd_setup uses them: memalign_high (ZoneHigh, the top-of-low-RAM table area)
/// and memalign_tmphigh (ZoneTmpHigh, RAM below 4 GiB). Null means the allocation failed (warn_noalloc).
/// </summary>
public interface ISeaBiosAllocator
{
    uint? MemalignHigh(uint align, uint size);
    uint? MemalignTmpHigh(uint align, ulong size);
}

/// <summary>
/// Everything the port touches on the machine: config space through CF8/CFC until it enables mmconfig, then an
/// ECAM accessor at the address it programmed; fw_cfg; optionally port I/O, a phase sink and an allocator.
/// The port never sees a device object.
/// </summary>
public sealed record SeaBiosEnvironment
{
    /// <summary>pci_ioconfig_*: CF8/CFC. Used for everything until pci_enable_mmconfig.</summary>
    public required IConfigAccessor Cf8Cfc { get; init; }

    /// <summary>Returns an ECAM accessor for the window at the given address (the one SeaBIOS just programmed).</summary>
    public required Func<ulong, IConfigAccessor> Ecam { get; init; }

    public required IFwCfg FwCfg { get; init; }

    /// <summary>Port I/O for pci_probe_host and ELCR; null skips both (PCI is assumed present).</summary>
    public IPortIo? Ports { get; init; }

    public IPhaseSink? Phases { get; init; }

    /// <summary>Heap for the IGD OpRegion and stolen memory; null uses <see cref="ZoneAllocator"/> over the e820 map.</summary>
    public ISeaBiosAllocator? Allocator { get; init; }
}
