using System.Globalization;

namespace PciEmu.Platform.Machines.Xenfv;

/// <summary>
/// The xl.cfg keys of an HVM guest that shape its PCI picture (docs/man/xl.cfg.5.pod.in, Xen 4.20; defaults from
/// libxl_create.c / xl_parse.c). Sizes are MiB as in xl.cfg. Given on the command line as <c>--xen KEY=VALUE</c>.
/// </summary>
public sealed record XlConfig
{
    /// <summary>HVM_BELOW_4G_MMIO_LENGTH / HVM_BELOW_4G_MMIO_START in MiB: xl's bounds for mmio_hole.</summary>
    public const ulong MinMmioHoleMiB = 256;
    public const ulong MaxMmioHoleMiB = 3840;

    /// <summary>memory= (MiB); null = take -m.</summary>
    public ulong? MemoryMiB { get; init; }

    /// <summary>maxmem= (MiB); null = memory.</summary>
    public ulong? MaxMemMiB { get; init; }

    /// <summary>mmio_hole= (MiB, 256..3840); null = libxl's default 256 MiB hole, growable by hvmloader.</summary>
    public ulong? MmioHoleMiB { get; init; }

    /// <summary>videoram= (MiB); null = libxl's default for the VGA kind (cirrus 8, stdvga 16).</summary>
    public ulong? VideoRamMiB { get; init; }

    /// <summary>xen_platform_pci= (default 1: machine xenfv with the 5853:0001 device; 0: pc,accel=xen without it).</summary>
    public bool XenPlatformPci { get; init; } = true;

    /// <summary>stdvga= (default 0: cirrus-vga).</summary>
    public bool StdVga { get; init; }

    /// <summary>usb= (default 0): QEMU -usb, the PIIX3 UHCI at 01.2.</summary>
    public bool Usb { get; init; }

    /// <summary>vif model (default rtl8139, xl's default NIC model; "none" = no vif= line).</summary>
    public string Nic { get; init; } = "rtl8139";

    /// <summary>xenstore hvmloader/allow-memory-relocate; null = what libxl writes (0 for qemu-xen).</summary>
    public bool? AllowMemoryRelocate { get; init; }

    /// <summary>device_model_version= (only qemu-xen, the default since Xen 4.3, is modelled).</summary>
    public string DeviceModelVersion { get; init; } = "qemu-xen";

    /// <summary>libxl's video_memkb default for qemu-xen (libxl__domain_build_info_setdefault).</summary>
    public ulong EffectiveVideoRamMiB => VideoRamMiB ?? (StdVga ? 16UL : 8UL);

    /// <summary>hvmloader/allow-memory-relocate as libxl__build_device_model_args writes it: 0 for qemu-xen.</summary>
    public bool EffectiveAllowMemoryRelocate => AllowMemoryRelocate ?? false;

    /// <summary>
    /// Applies one KEY=VALUE (xl_parse.c semantics); throws <see cref="QemuException"/> with xl's message on bad input.
    /// </summary>
    public XlConfig With(string assignment)
    {
        var eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw new QemuException($"--xen expects KEY=VALUE, got '{assignment}'");
        var key = assignment[..eq].Trim();
        var value = assignment[(eq + 1)..].Trim();
        switch (key)
        {
            case "memory": return this with { MemoryMiB = Long(key, value) };
            case "maxmem": return this with { MaxMemMiB = Long(key, value) };
            case "videoram": return this with { VideoRamMiB = Long(key, value) };
            case "mmio_hole":
                var hole = Long(key, value);
                // xl_parse.c: mmio_hole below HVM_BELOW_4G_MMIO_LENGTH or above HVM_BELOW_4G_MMIO_START is fatal.
                if (hole < MinMmioHoleMiB || hole > MaxMmioHoleMiB) throw new QemuException($"ERROR: invalid value {hole} for \"mmio_hole\"");
                return this with { MmioHoleMiB = hole };
            case "xen_platform_pci": return this with { XenPlatformPci = Bool(key, value) };
            case "stdvga": return this with { StdVga = Bool(key, value) };
            case "usb": return this with { Usb = Bool(key, value) };
            case "allow-memory-relocate" or "allow_memory_relocate": return this with { AllowMemoryRelocate = Bool(key, value) };
            case "vif" or "nic":
                return value is "rtl8139" or "e1000" or "none"
                    ? this with { Nic = value }
                    : throw new QemuException($"--xen {key}: model '{value}' is not modelled (rtl8139, e1000 or none)");
            case "device_model_version":
                return value switch
                {
                    "qemu-xen" => this with { DeviceModelVersion = value },
                    "qemu-xen-traditional" => throw new QemuException("device_model_version=qemu-xen-traditional is not modelled (only qemu-xen)"),
                    _ => throw new QemuException($"ERROR: invalid device_model_version specified: {value}"),
                };
            default:
                throw new QemuException($"--xen: unknown key '{key}' (memory, maxmem, videoram, mmio_hole, xen_platform_pci, stdvga, usb, vif, allow-memory-relocate, device_model_version)");
        }
    }

    private static ulong Long(string key, string value) =>
        ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v <= uint.MaxValue
            ? v
            : throw new QemuException($"--xen {key}: '{value}' is not a number of MiB");

    private static bool Bool(string key, string value) => value switch
    {
        "1" or "true" or "on" or "yes" => true,
        "0" or "false" or "off" or "no" => false,
        _ => throw new QemuException($"--xen {key}: '{value}' is not 0 or 1"),
    };
}
