using PciEmu.Platform;
using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios;

/// <summary>
/// Entry point of the SeaBIOS rel-1.16.2 port: the parts of qemu_preinit / qemu_platform_setup that pci_setup
/// depends on (qemu_early_e820, the top-of-4G BIOS reservation, the pm_base move), then pci_setup.
/// </summary>
public static class SeaBiosFirmware
{
    public static SeaBiosResult Run(SeaBiosEnvironment environment, SeaBiosOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        options ??= SeaBiosOptions.Default;
        var log = new DebugLog(options.DebugLevel);
        var e820 = new E820Map(fn => log.Dprintf(1, $"WARNING - Unable to allocate resource at {fn}:0!"));
        var romfile = new FwCfgReader(environment.FwCfg);

        uint ramSize = 0;
        ulong ramSizeOver4G = 0;
        if (options.RunPreinit)
        {
            qemu_early_e820(romfile, log, e820, ref ramSize, ref ramSizeOver4G, options);
            // qemu_preinit: reserve 256KB BIOS area at the end of 4 GB
            e820.Add(BUILD_BIOS_TOP_RESERVE_ADDR, BUILD_BIOS_TOP_RESERVE_SIZE, E820Type.Reserved);
        }
        else if (options.InitialE820 is { } initial)
        {
            foreach (var e in initial) e820.Add(e.Start, e.Length, e.Type);
            RamSizesFrom(initial, ref ramSize, ref ramSizeOver4G);
        }
        ramSize = options.RamSize ?? ramSize;
        ramSizeOver4G = options.RamSizeOver4G ?? ramSizeOver4G;

        var pmBase = options.AcpiPmBase ?? PORT_ACPI_PM_BASE;
        if (options.AcpiPmBase is null && romfile.romfile_find("etc/table-loader") is not null)
        {
            // qemu_platform_setup
            pmBase = QEMU_ACPI_PM_BASE;
            log.Dprintf(1, $"Moving pm_base to 0x{DebugLog.Hex32(pmBase)}");
        }

        var init = new PciInit(environment, options, log, e820, ramSize, ramSizeOver4G, pmBase);
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

        var windows = new PciWindows(init.pcimem_start, init.pcimem_end, init.pcimem64_start, init.pcimem64_end, init.IoBase, init.IoSum);
        return new SeaBiosResult(log.Lines.ToArray(), e820.Entries, outcome, windows, init.MaxPCIBus,
            init.Devices.Select(d => d.Snapshot()).ToArray())
        {
            PciSetupLog = log.Lines.Skip(first).ToArray(),
        };
    }

    /// <summary>
    /// qemu_early_e820 (src/fw/paravirt.c): add etc/e820's RAM and RESERVED entries, derive RamSize (highest RAM end
    /// below 4 GiB) and RamSizeOver4G. Without etc/e820 upstream falls back to CMOS; the port takes
    /// <see cref="SeaBiosOptions.RamSize"/> instead.
    /// </summary>
    private static void qemu_early_e820(FwCfgReader romfile, DebugLog log, E820Map e820, ref uint ramSize, ref ulong ramSizeOver4G, SeaBiosOptions options)
    {
        if (romfile.romfile_find("etc/e820") is not { } file)
        {
            // may happen on old qemu
            log.Dprintf(1, "qemu/e820: fw_cfg file etc/e820 not found");
            ramSize = options.RamSize ?? 0;
            e820.Add(0, ramSize, E820Type.Ram);
            log.Dprintf(1, $"RamSize: 0x{DebugLog.Hex32(ramSize, 8, true)} [cmos]");
            return;
        }
        foreach (var table in E820Entry.Decode(file.Span))
        {
            switch (table.Type)
            {
                case E820Type.Reserved:
                    e820.Add(table.Start, table.Length, table.Type);
                    log.Dprintf(3, $"qemu/e820: addr 0x{DebugLog.Hex(table.Start, 16, true)} len 0x{DebugLog.Hex(table.Length, 16, true)} [reserved]");
                    break;
                case E820Type.Ram:
                    e820.Add(table.Start, table.Length, table.Type);
                    log.Dprintf(1, $"qemu/e820: addr 0x{DebugLog.Hex(table.Start, 16, true)} len 0x{DebugLog.Hex(table.Length, 16, true)} [RAM]");
                    RamSizesFrom([table], ref ramSize, ref ramSizeOver4G);
                    break;
            }
        }
        log.Dprintf(3, $"qemu/e820: RamSize: 0x{DebugLog.Hex32(ramSize, 8, true)}");
        log.Dprintf(3, $"qemu/e820: RamSizeOver4G: 0x{DebugLog.Hex(ramSizeOver4G, 16, true)}");
    }

    private static void RamSizesFrom(IReadOnlyList<E820Entry> entries, ref uint ramSize, ref ulong ramSizeOver4G)
    {
        foreach (var table in entries)
        {
            if (table.Type != E820Type.Ram) continue;
            if (table.Start < GiB4)
            {
                // below 4g
                if (ramSize < table.Start + table.Length) ramSize = (uint)(table.Start + table.Length);
            }
            else if (ramSizeOver4G < table.Start + table.Length - GiB4)
            {
                // above 4g
                ramSizeOver4G = table.Start + table.Length - GiB4;
            }
        }
    }
}
