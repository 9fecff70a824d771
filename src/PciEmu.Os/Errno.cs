namespace PciEmu.Os;

/// <summary>The errno values the ported functions return (include/uapi/asm-generic/errno-base.h), negated as the kernel returns them.</summary>
internal static class Errno
{
    public const int ENoSpace = -28;
    public const int EInval = -22;
    public const int EBusy = -16;
}
