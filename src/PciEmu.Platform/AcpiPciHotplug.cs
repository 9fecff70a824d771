using PciEmu.Fabric;

namespace PciEmu.Platform;

/// <summary>
/// The ACPI PCI hot-plug register block (hw/acpi/pcihp.c, QEMU 7.2): UP/DOWN/EJ/RMV/SEL/AIDX, dword registers,
/// one status set per hot-pluggable bus selected by BSEL.
/// </summary>
internal sealed class AcpiPciHotplug(Machine machine) : IPortHandler
{
    public const int RegisterBlockSize = 0x18;
    private const int UpOffset = 0x00;
    private const int DownOffset = 0x04;
    private const int EjectOffset = 0x08;
    private const int RemovableOffset = 0x0c;
    private const int SelectOffset = 0x10;
    private const int AcpiIndexOffset = 0x14;

    /// <summary>ACPI_PCIHP_MAX_HOTPLUG_BUS.</summary>
    public const int MaxBuses = 256;

    private readonly uint[] _up = new uint[MaxBuses];
    private readonly uint[] _down = new uint[MaxBuses];

    public uint Select { get; private set; }

    public uint Up(int bsel) => _up[bsel];
    public uint Down(int bsel) => _down[bsel];

    /// <summary>acpi_pcihp_reset: pending events are dropped.</summary>
    public void Reset()
    {
        Array.Clear(_up);
        Array.Clear(_down);
        Select = 0;
    }

    public void SignalUp(int bsel, int slot) => _up[bsel] |= 1u << slot;
    public void SignalDown(int bsel, int slot) => _down[bsel] |= 1u << slot;

    /// <summary>pci_read.</summary>
    public uint Read(ushort port, int width)
    {
        var offset = port - (machine.Acpi.AcpiHotplugIoBase ?? 0);
        var bsel = (int)Select;
        if (bsel >= MaxBuses) return 0;
        switch (offset)
        {
            case UpOffset:
                var up = _up[bsel];
                _up[bsel] = 0; // !legacy_piix: reading UP clears it
                return up;
            case DownOffset: return _down[bsel];
            case EjectOffset: return 0; // no feature bits defined in 7.2
            case RemovableOffset: return machine.RemovableSlots(bsel);
            case SelectOffset: return Select;
            case AcpiIndexOffset: return 0;
            default: return 0;
        }
    }

    /// <summary>pci_write.</summary>
    public void Write(ushort port, int width, uint value)
    {
        var offset = port - (machine.Acpi.AcpiHotplugIoBase ?? 0);
        switch (offset)
        {
            case EjectOffset:
                if (Select < MaxBuses)
                {
                    var bsel = (int)Select;
                    machine.EjectSlots(bsel, value);
                    _down[bsel] &= ~value;
                }
                break;
            case SelectOffset:
                Select = value;
                break;
        }
    }
}
