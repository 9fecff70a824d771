using PciEmu.Fabric;

namespace PciEmu.Platform;

/// <summary>
/// A register block written for port I/O (hw/acpi/pcihp.c's pci_read/pci_write) mapped as MMIO, as acpi-ged maps the
/// ACPI PCI hot-plug block on arm virt (memory_region_init_io in the system memory space): offset = register.
/// </summary>
internal sealed class PortBlockMmio(IPortHandler block) : IMmioHandler
{
    public ulong Read(ulong offset, int width) => block.Read((ushort)offset, width);

    public void Write(ulong offset, int width, ulong value) => block.Write((ushort)offset, width, (uint)value);
}
