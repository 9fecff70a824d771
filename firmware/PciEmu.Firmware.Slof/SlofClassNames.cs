namespace PciEmu.Firmware.Slof;

/// <summary>slof/fs/pci-class-code-names.fs: the node/console name of a function from its class code.</summary>
internal static class SlofClassNames
{
    /// <summary>pci-class-name: dispatch on the base class (class-code bits 23:16).</summary>
    public static string PciClassName(uint classCode)
    {
        var sub = (classCode >> 8) & 0xff;
        var subIf = classCode & 0xffff;
        return (classCode >> 16) switch
        {
            0x00 => sub switch { 0x01 => "display", _ => "legacy-device" },
            0x01 => sub switch
            {
                0x00 => "scsi", 0x01 => "ide", 0x02 => "fdc", 0x03 => "ipi", 0x04 => "raid", 0x05 => "ata", 0x06 => "sata",
                0x07 => "sas", _ => "mass-storage",
            },
            0x02 => sub switch
            {
                0x00 => "ethernet", 0x01 => "token-ring", 0x02 => "fddi", 0x03 => "atm", 0x04 => "isdn", 0x05 => "worldfip",
                _ => "network",
            },
            0x03 => subIf switch { 0x0000 => "vga", 0x0100 => "xga", 0x0200 => "3d-controller", _ => "display" },
            0x04 => sub switch { 0x00 => "video", 0x01 => "sound", 0x02 => "telephony", _ => "multimedia-device" },
            0x05 => sub switch { 0x00 => "memory", 0x01 => "flash", _ => "memory-controller" },
            0x06 => sub switch
            {
                0x00 => "host", 0x01 => "isa", 0x02 => "eisa", 0x03 => "mca", 0x04 => "pci", 0x05 => "pcmcia", 0x06 => "nubus",
                0x07 => "cardbus", 0x08 => "raceway", 0x09 => "semi-transparent-pci", 0x0a => "infiniband", _ => "unknown-bridge",
            },
            0x07 => subIf switch
            {
                0x0000 => "serial", 0x0100 => "parallel", 0x0200 => "multiport-serial", 0x0300 => "modem", 0x0400 => "gpib",
                0x0500 => "smart-card", _ => "communication-controller",
            },
            0x08 => subIf switch
            {
                0x0000 => "interrupt-controller", 0x0100 => "dma-controller", 0x0200 => "timer", 0x0300 => "rtc",
                0x0400 => "hot-plug-controller", 0x0500 => "sd-host-controller", _ => "system-peripheral",
            },
            0x09 => sub switch
            {
                0x00 => "keyboard", 0x01 => "pen", 0x02 => "mouse", 0x03 => "scanner", 0x04 => "gameport", _ => "input-controller",
            },
            0x0a => sub switch { 0x00 => "dock", _ => "docking-station" },
            0x0b => sub switch { 0x02 => "pentium", 0x20 => "powerpc", 0x30 => "mips", 0x40 => "co-processor", _ => "cpu" },
            0x0c => subIf switch
            {
                0x0000 => "firewire", 0x0100 => "access-bus", 0x0200 => "ssa", 0x0300 => "usb-uhci", 0x0310 => "usb-ohci",
                0x0320 => "usb-ehci", 0x0330 => "usb-xhci", 0x0380 => "usb-unknown", 0x03fe => "usb-device",
                0x0400 => "fibre-channel", 0x0500 => "smb", 0x0600 => "infiniband", 0x0700 or 0x0701 or 0x0702 => "ipmi",
                0x0800 => "sercos", 0x0900 => "canbus", _ => "serial-bus",
            },
            0x0d => sub switch
            {
                0x00 => "irda", 0x01 => "consumer-ir", 0x10 => "rf-controller", 0x11 => "bluetooth", 0x12 => "broadband",
                _ => "wireless-controller",
            },
            0x0e => "intelligent-io",
            0x0f => sub switch
            {
                0x01 => "satellite-tv", 0x02 => "satellite-audio", 0x03 => "satellite-voice", 0x04 => "satellite-data",
                _ => "satellite-device",
            },
            0x10 => sub switch { 0x00 => "network-encryption", 0x01 => "entertainment-encryption", _ => "encryption" },
            0x11 => sub switch
            {
                0x00 => "dpio", 0x01 => "counter", 0x10 => "measurement", 0x20 => "managment-card", _ => "data-processing-controller",
            },
            _ => "unknown",
        };
    }
}
