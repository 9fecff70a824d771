using System.Globalization;

namespace PciEmu.Platform;

/// <summary>
/// The x86 CPU model facts firmware reads through CPUID and QEMU's board code uses (target/i386/cpu.c in QEMU 7.2):
/// vendor, physical address width (x86_cpu_realizefn: TCG_PHYS_ADDR_BITS 40 unless set) and
/// 1 GiB pages (pdpe1gb). Only what the PCI apertures depend on is modelled. Debian's QEMU 7.2 takes phys-bits=N under
/// TCG too (the recording lx-q35-rootport-physbits36-hotplug-4M boots with qemu64,phys-bits=36).
/// </summary>
public sealed record X86Cpu
{
    public const string AmdVendor = "AuthenticAMD";
    public const string IntelVendor = "GenuineIntel";

    /// <summary>TCG_PHYS_ADDR_BITS (target/i386/tcg/helper-tcg.h).</summary>
    public const int TcgPhysAddrBits = 40;

    /// <summary>TARGET_PHYS_ADDR_SPACE_BITS on x86_64.</summary>
    private const int MaxPhysBits = 52;
    private const int MinPhysBits = 32;

    public string Model { get; init; } = "qemu64";
    public string Vendor { get; init; } = AmdVendor;
    public int PhysBits { get; init; } = TcgPhysAddrBits;
    public bool Page1G { get; init; }

    /// <summary>IS_AMD_CPU.</summary>
    public bool IsAmd => Vendor == AmdVendor;

    /// <summary>The default CPU of qemu-system-x86_64 (qemu64: AMD vendor, no pdpe1gb) under TCG.</summary>
    public static X86Cpu Default { get; } = new();

    /// <summary>The built-in models PciEmu knows: vendor and pdpe1gb of each (builtin_x86_defs; "max" under TCG).</summary>
    private static readonly Dictionary<string, X86Cpu> Models = new(StringComparer.Ordinal)
    {
        ["qemu64"] = new() { Model = "qemu64", Vendor = AmdVendor },
        ["kvm64"] = new() { Model = "kvm64", Vendor = IntelVendor },
        ["max"] = new() { Model = "max", Vendor = AmdVendor, Page1G = true },
        ["EPYC"] = new() { Model = "EPYC", Vendor = AmdVendor, Page1G = true },
        ["Skylake-Server"] = new() { Model = "Skylake-Server", Vendor = IntelVendor, Page1G = true },
        ["Icelake-Server"] = new() { Model = "Icelake-Server", Vendor = IntelVendor, Page1G = true },
    };

    /// <summary>
    /// <c>-cpu MODEL[,phys-bits=N][,host-phys-bits=on|off][,host-phys-bits-limit=N][,pdpe1gb=on|off|+pdpe1gb|-pdpe1gb]</c>
    /// for the accelerator: phys-bits is taken (32..52, x86_cpu_realizefn's check); under TCG host-phys-bits has no
    /// effect; under KVM host-phys-bits=on needs host-phys-bits-limit=N here, the host's own width being outside the model.
    /// </summary>
    public static X86Cpu Parse(string text, bool kvm)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',');
        if (!Models.TryGetValue(parts[0], out var cpu))
            throw new QemuException($"unable to find CPU model '{parts[0]}' (modelled: {string.Join(", ", Models.Keys)})");
        int? physBits = null, hostLimit = null;
        var hostPhysBits = false;
        foreach (var p in parts.Skip(1))
        {
            var kv = p.Split('=', 2);
            switch (kv[0])
            {
                case "phys-bits" when kv.Length == 2:
                    physBits = ParseBits(kv[1], "phys-bits");
                    break;
                case "host-phys-bits" when kv.Length == 2 && kv[1] is "on" or "off" or "true" or "false":
                    hostPhysBits = kv[1] is "on" or "true";
                    break;
                case "host-phys-bits-limit" when kv.Length == 2:
                    hostLimit = ParseBits(kv[1], "host-phys-bits-limit");
                    break;
                case "pdpe1gb" when kv.Length == 2 && kv[1] is "on" or "off":
                    cpu = cpu with { Page1G = kv[1] == "on" };
                    break;
                case "+pdpe1gb":
                    cpu = cpu with { Page1G = true };
                    break;
                case "-pdpe1gb":
                    cpu = cpu with { Page1G = false };
                    break;
                default:
                    throw new QemuException($"can't apply global {cpu.Model}-x86_64-cpu.{kv[0]} (modelled: phys-bits, host-phys-bits, host-phys-bits-limit, pdpe1gb)");
            }
        }
        // host-phys-bits only acts where the accelerator uses the host's CPUID (host_cpu_realizefn under KVM).
        if (kvm && hostPhysBits)
        {
            physBits = hostLimit ?? throw new QemuException("host-phys-bits=on: the host's address width is not modelled; give host-phys-bits-limit=N (or phys-bits=N)");
        }
        if (physBits is { } bits && (bits > MaxPhysBits || bits < MinPhysBits))
            throw new QemuException($"phys-bits should be between {MinPhysBits} and {MaxPhysBits}  (but is {bits})");
        return cpu with { PhysBits = physBits ?? TcgPhysAddrBits };
    }

    private static int ParseBits(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
            : throw new QemuException($"Parameter '{name}' expects uint8_t");
}
