namespace PciEmu.Core;

/// <summary>What a function says about itself in its header: IDs, revision, class code and interrupt pin.</summary>
public sealed record DeviceIdentity(ushort VendorId, ushort DeviceId, uint ClassCode, byte Revision = 0)
{
    /// <summary>Subsystem IDs for a type-0 header; null means QEMU's default 1af4:1100.</summary>
    public ushort? SubsystemVendorId { get; init; }
    public ushort? SubsystemId { get; init; }

    /// <summary>0 = none, 1 = INTA ... 4 = INTD.</summary>
    public byte InterruptPin { get; init; }

    /// <summary>Red Hat/Qumranet, the subsystem QEMU gives devices that do not set one (pci_set_default_subsystem_id).</summary>
    public const ushort QemuSubsystemVendor = 0x1af4;
    public const ushort QemuSubsystem = 0x1100;

    public byte BaseClass => (byte)(ClassCode >> 16);
    public byte SubClass => (byte)(ClassCode >> 8);
    public byte ProgIf => (byte)ClassCode;
    public ushort ClassDevice => (ushort)(ClassCode >> 8);
}

/// <summary>The argument of a config write hook: what was written and what the register held before.</summary>
public readonly record struct ConfigWrite(int Offset, int Width, uint Value, uint OldValue)
{
    public bool Overlaps(int offset, int length) => Offset < offset + length && offset < Offset + Width;
    public bool Overlaps(Register r) => Overlaps(r.Offset, r.Width);
}
