using PciEmu.Fabric.FirmwareTables;
using System.Globalization;
using System.Text;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>The --emit kinds this layer renders from a machine: the PCI views and the e820 table QEMU hands firmware.</summary>
public static class PlatformReports
{
    public const string Tree = "tree";
    public const string Lspci = "lspci";
    public const string LspciVerbose = "lspci-vvv";
    public const string LspciDump = "lspci-dump";
    public const string QueryPci = "query-pci";
    public const string InfoPci = "info-pci";
    public const string E820 = "e820";

    public static IReadOnlyList<string> Kinds { get; } = [Tree, Lspci, LspciVerbose, LspciDump, QueryPci, InfoPci, E820];

    /// <summary>Renders <paramref name="kind"/>, or returns null when the kind belongs to another layer (firmware-log, trace, ...).</summary>
    public static string? Render(string kind, Machine machine) => kind switch
    {
        Tree => TreeReport.Render(machine.Snapshot()),
        Lspci => LspciReport.Render(machine.Snapshot()),
        LspciVerbose => LspciVerboseReport.Render(machine.Snapshot()),
        LspciDump => LspciReport.RenderDump(machine.Snapshot()),
        QueryPci => QueryPciReport.Render(machine.Snapshot()),
        InfoPci => InfoPciReport.Render(machine.Snapshot()),
        E820 => RenderE820(machine.Memory.E820),
        _ => null,
    };

    /// <summary>The etc/e820 entries as SeaBIOS logs them when it reads them (qemu_early_e820: "qemu/e820: ...").</summary>
    public static string RenderE820(IReadOnlyList<E820Entry> entries)
    {
        var sb = new StringBuilder();
        foreach (var e in entries)
        {
            var type = e.Type switch
            {
                E820Type.Ram => "RAM",
                E820Type.Reserved => "RESERVED",
                E820Type.Acpi => "ACPI",
                E820Type.Nvs => "NVS",
                _ => "UNKNOWN",
            };
            sb.Append(CultureInfo.InvariantCulture, $"qemu/e820: addr 0x{e.Start:x16} len 0x{e.Length:x16} [{type}]\n");
        }
        return sb.ToString();
    }
}
