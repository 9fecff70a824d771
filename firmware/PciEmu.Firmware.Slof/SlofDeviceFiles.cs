namespace PciEmu.Firmware.Slof;

/// <summary>
/// What one board-qemu/slof/pci-device_VVVV_PPPP.fs does around pci-device-generic-setup: its console text (printed
/// before the setup, or after it for cirrus), the decode it enables and whether it disables the device again after
/// its driver file (virtio-*.fs, e1k.fs: the driver probes themselves are not modelled).
/// </summary>
internal sealed record SlofDeviceFile(string Text, bool SetupFirst, bool MasterEnable, bool MemEnable, bool IoEnable, bool DisableAfter)
{
    /// <summary>The driver file reads BAR0 and enables memory decode at include time (e1k.fs).</summary>
    public bool ReadsBar0ThenMemEnable { get; init; }

    /// <summary>The driver registers a network node (pci-alias-net): a boot candidate for "net".</summary>
    public bool Network { get; init; }
}

internal static class SlofDeviceFiles
{
    private static readonly SlofDeviceFile VirtioNet = new("virtio [ net ]", false, false, false, true, true) { Network = true };
    private static SlofDeviceFile Virtio(string what) => new($"virtio [ {what} ]", false, true, true, true, true);

    /// <summary>romfs-lookup of pci-device_VVVV_PPPP.fs (the 1af4:104x files include their 100x twins).</summary>
    public static SlofDeviceFile? Find(uint vendor, uint device, Func<uint> classCode) => (vendor, device) switch
    {
        (0x1013, 0x00b8) => new("cirrus vga", true, true, true, true, false),
        // qemu-vga.fs runs the generic setup and enables MEM/IO for the frame buffer.
        (0x1234, 0x1111) => new("qemu vga", false, false, true, true, false),
        (0x1af4, 0x1000) or (0x1af4, 0x1041) => VirtioNet,
        (0x1af4, 0x1001) or (0x1af4, 0x1042) => Virtio("block"),
        (0x1af4, 0x1003) or (0x1af4, 0x1043) => Virtio("serial"),
        (0x1af4, 0x1004) or (0x1af4, 0x1048) => Virtio("scsi"),
        (0x1af4, 0x1009) or (0x1af4, 0x1049) => Virtio("network"),
        (0x1af4, 0x1050) => classCode() == 0x30000
            ? new("virtio [ vga ]", false, false, true, true, false)
            : new("virtio [ gpu ]", false, false, false, false, false),
        (0x8086, 0x100e) => new("e1000 [ net ]", false, false, false, true, true) { ReadsBar0ThenMemEnable = true, Network = true },
        _ => null,
    };
}
