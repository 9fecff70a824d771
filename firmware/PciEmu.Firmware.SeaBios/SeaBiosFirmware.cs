using PciEmu.Fabric.FirmwareTables;
using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios;

/// <summary>
/// Entry point of the SeaBIOS rel-1.16.2 port: the POST steps before pci_setup that touch PCI or feed it
/// (make_bios_writable, qemu_detect, qemu_early_e820, the top-of-4G BIOS reservation, the pm_base move), then
/// pci_setup, then what POST does to config space after it (<see cref="SeaBiosPost"/>) and the modelled effect of
/// the first boot entry, an iPXE option ROM (<see cref="IpxeBoot"/>).
/// </summary>
public static class SeaBiosFirmware
{
    /// <summary>
    /// The phase of the modelled boot ROM (<see cref="SeaBiosOptions.RunBootRom"/>): everything the port does before
    /// it is SeaBIOS code ported access for access; inside it, the effect of code PciEmu cannot run (iPXE).
    /// </summary>
    public const string BootRomPhase = IpxeBoot.PhaseName;

    /// <summary>The phase of the POST steps after pci_setup (<see cref="SeaBiosOptions.RunPost"/>).</summary>
    public const string PostPhase = "seabios: post after pci_setup";

    public static SeaBiosResult Run(SeaBiosEnvironment environment, SeaBiosOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        options ??= SeaBiosOptions.Default;
        var log = new DebugLog(options.DebugLevel);
        var e820 = new E820Map(fn => log.Dprintf(1, $"WARNING - Unable to allocate resource at {fn}:0!"),
            options.Release >= SeaBiosRelease.Rel_1_16_3 ? E820Map.BUILD_MAX_E820_1_16_3 : E820Map.BUILD_MAX_E820);
        var romfile = new FwCfgReader(environment.FwCfg);
        var pre = new QemuPreinit(new PciConfig(environment, log), log, e820, romfile, options);

        if (options.RunPreinit)
        {
            pre.make_bios_writable(); // handle_post
            pre.qemu_detect();        // qemu_preinit
            pre.qemu_early_e820(options.RamSize ?? 0);
            pre.ReserveBiosTop();
        }
        else if (options.InitialE820 is { } initial)
        {
            foreach (var e in initial)
            {
                e820.Add(e.Start, e.Length, e.Type);
                pre.AccountRam(e);
            }
        }
        var ramSize = options.RamSize ?? pre.RamSize;
        var ramSizeOver4G = options.RamSizeOver4G ?? pre.RamSizeOver4G;
        var pmBase = options.AcpiPmBase ?? pre.AcpiPmBase();

        var init = new PciInit(environment, options, log, e820, ramSize, ramSizeOver4G, pmBase)
        {
            CPUPhysBits = pre.CPUPhysBits,
            CPULongMode = pre.CPULongMode,
        };
        var first = log.Count;
        SeaBiosOutcome outcome;
        try
        {
            outcome = init.pci_setup() ? SeaBiosOutcome.Ok : new SeaBiosOutcome(SeaBiosOutcomeKind.Aborted, "pci_setup returned early");
        }
        catch (SeaBiosPanicException ex)
        {
            outcome = new SeaBiosOutcome(SeaBiosOutcomeKind.Panic, ex.Message);
        }
        catch (SeaBiosHangException ex)
        {
            outcome = new SeaBiosOutcome(SeaBiosOutcomeKind.Hung, ex.Message);
        }
        var pciSetupEnd = log.Count;
        IReadOnlyList<string> bootRomDevices = [];
        if (outcome.Kind == SeaBiosOutcomeKind.Ok && options.RunPost)
        {
            var post = new SeaBiosPost(init.Config, init.Devices, log, init.Romfile, environment.Ports, pmBase, pre.ShadowBDF);
            using (environment.Phases?.Begin(PostPhase)) post.Run(options);
            if (options.RunBootRom)
            {
                using (environment.Phases?.Begin(IpxeBoot.PhaseName))
                    bootRomDevices = IpxeBoot.Run(init.Config, init.Devices, post.DeployedRoms);
            }
        }

        var windows = new PciWindows(init.pcimem_start, init.pcimem_end, init.pcimem64_start, init.pcimem64_end, init.IoBase, init.IoSum);
        return new SeaBiosResult(log.Lines.ToArray(), e820.Entries, outcome, windows, init.MaxPCIBus,
            init.Devices.Select(d => d.Snapshot()).ToArray())
        {
            PciSetupLog = log.Lines.Skip(first).Take(pciSetupEnd - first).ToArray(),
            BootRomDevices = bootRomDevices,
            BusCounterRewinds = init.BusCounterRewinds.ToArray(),
        };
    }
}
