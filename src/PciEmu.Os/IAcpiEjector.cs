namespace PciEmu.Os;

/// <summary>
/// The platform side of acpi_evaluate_ej0 for an acpiphp slot: QEMU's DSDT _EJ0 runs PCEJ(BSEL, _SUN), i.e. selects
/// the bus's hot-plug selector and writes the slot bit to the eject register. The enumerator only has config space,
/// so the machine provides this (see PciEmu.Scenarios.Running.MachineFacts.AcpiEjector).
/// </summary>
public interface IAcpiEjector
{
    /// <summary>Evaluates _EJ0 of <paramref name="slot"/> on the bus Linux numbers <paramref name="busNumber"/>.</summary>
    void Eject(int busNumber, int slot);
}
