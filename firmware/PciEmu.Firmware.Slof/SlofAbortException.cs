namespace PciEmu.Firmware.Slof;

/// <summary>A Forth ABORT / ABORT" in SLOF's PCI words (e.g. an invalid BAR type code): setup stops there.</summary>
public sealed class SlofAbortException(string message) : Exception(message)
{
}
