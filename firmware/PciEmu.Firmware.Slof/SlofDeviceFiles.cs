namespace PciEmu.Firmware.Slof;

/// <summary>A config step a board-qemu device file or its driver file takes after pci-device-generic-setup.</summary>
internal enum SlofDriverStep
{
    /// <summary>pci-master-enable (dword read-modify-write of COMMAND).</summary>
    MasterEnable,

    /// <summary>pci-mem-enable (word read-modify-write).</summary>
    MemEnable,

    /// <summary>pci-io-enable (word read-modify-write).</summary>
    IoEnable,

    /// <summary>pci-device-disable (dword read-modify-write clearing MEM, IO and MASTER).</summary>
    Disable,

    /// <summary>"10 config-l@": the driver reads BAR0 (its register or frame-buffer base).</summary>
    ReadBar0,

    /// <summary>"18 config-l@": the driver reads BAR2 (qemu-vga.fs's MMIO registers).</summary>
    ReadBar2,
}

/// <summary>
/// What one board-qemu/slof/pci-device_VVVV_PPPP.fs does around pci-device-generic-setup: its console text (printed
/// before the setup, or after it for cirrus) and the config steps of the file and its driver file that follow.
/// The virtio drivers' own capability and queue probing (libvirtio) is not modelled.
/// </summary>
internal sealed record SlofDeviceFile(string Text, bool SetupFirst, IReadOnlyList<SlofDriverStep> Steps)
{
    /// <summary>The driver registers a network node (pci-alias-net): a boot candidate for "net".</summary>
    public bool Network { get; init; }
}

internal static class SlofDeviceFiles
{
    private static readonly SlofDeviceFile VirtioNet =
        new("virtio [ net ]", false, [SlofDriverStep.IoEnable, SlofDriverStep.Disable]) { Network = true };

    private static SlofDeviceFile Virtio(string what) => new($"virtio [ {what} ]", false,
        [SlofDriverStep.MasterEnable, SlofDriverStep.MemEnable, SlofDriverStep.IoEnable, SlofDriverStep.Disable]);

    /// <summary>qemu-vga.fs: the frame buffer (BAR0) and registers (BAR2) read, then master and memory decode on.</summary>
    private static SlofDeviceFile QemuVga(string text) => new(text, false,
        [SlofDriverStep.ReadBar0, SlofDriverStep.ReadBar2, SlofDriverStep.MasterEnable, SlofDriverStep.MemEnable]);

    /// <summary>romfs-lookup of pci-device_VVVV_PPPP.fs (the 1af4:104x files include their 100x twins).</summary>
    public static SlofDeviceFile? Find(uint vendor, uint device, Func<uint> classCode) => (vendor, device) switch
    {
        (0x1013, 0x00b8) => new("cirrus vga", true, [SlofDriverStep.MasterEnable, SlofDriverStep.MemEnable, SlofDriverStep.IoEnable]),
        (0x1234, 0x1111) => QemuVga("qemu vga"),
        (0x1af4, 0x1000) or (0x1af4, 0x1041) => VirtioNet,
        (0x1af4, 0x1001) or (0x1af4, 0x1042) => Virtio("block"),
        (0x1af4, 0x1003) or (0x1af4, 0x1043) => Virtio("serial"),
        (0x1af4, 0x1004) or (0x1af4, 0x1048) => Virtio("scsi"),
        (0x1af4, 0x1009) or (0x1af4, 0x1049) => Virtio("network"),
        (0x1af4, 0x1050) => classCode() == 0x30000 ? QemuVga("virtio [ vga ]") : new("virtio [ gpu ]", false, []),
        // e1k.fs at include time: "10 config-l@" (register base) and pci-mem-enable, then the file disables the device.
        (0x8086, 0x100e) => new("e1000 [ net ]", false,
            [SlofDriverStep.IoEnable, SlofDriverStep.ReadBar0, SlofDriverStep.MemEnable, SlofDriverStep.Disable]) { Network = true },
        _ => null,
    };
}
