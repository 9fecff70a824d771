using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Firmware.Slof;

/// <summary>What SLOF's PCI setup needs: the PHB nodes of the tree QEMU handed it, and RTAS config calls per BUID.</summary>
public sealed record SlofInput
{
    /// <summary>The PHB nodes in the order SLOF populates them (FDT order).</summary>
    public required IReadOnlyList<DeviceTreePciHost> Phbs { get; init; }

    /// <summary>RTAS read/write-pci-config naming a PHB's BUID.</summary>
    public required Func<ulong, IConfigAccessor> Rtas { get; init; }

    /// <summary>
    /// SLOF's boot word after the device tree is up, without -kernel: no disk or cdrom loads, so it opens the "net"
    /// device (the first network node) for a network boot. False: only the PCI setup (a -kernel boot).
    /// </summary>
    public bool NetworkBoot { get; init; }

    /// <summary>"qemu,mem-bar-min-align" on the PHB node (QEMU 7.2 sets none: SLOF uses 64 KiB).</summary>
    public ulong? MemBarMinAlign { get; init; }
}

/// <summary>SLOF 20220719's PCI setup on board-qemu: pci-phb.fs for every PHB node, in node order.</summary>
public static class SlofFirmware
{
    /// <summary>
    /// Runs phb-setup-children on every PHB. An ABORT (invalid BAR type) stops SLOF there: the result carries the
    /// lines printed so far and the message.
    /// </summary>
    public static SlofResult PciSetup(SlofInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var log = new List<string>();
        var hosts = new List<DeviceTreePciHost>();
        var vars = new List<SlofPciVars>();
        (SlofPhb Phb, Bdf Node)? net = null;
        foreach (var phb in input.Phbs)
        {
            if (phb.Buid is not { } buid)
            {
                hosts.Add(phb);
                continue;
            }
            var setup = new SlofPhb(input.Rtas(buid), log);
            try
            {
                hosts.Add(setup.SetupChildren(phb, input.MemBarMinAlign));
                vars.Add(setup.Vars);
                if (net is null && setup.NetworkNodes.Count > 0) net = (setup, setup.NetworkNodes[0]);
            }
            catch (SlofAbortException e)
            {
                setup.FlushLine();
                return new SlofResult { Log = log, Hosts = [.. hosts, .. input.Phbs.Skip(hosts.Count)], Vars = vars, Failure = e.Message };
            }
        }
        if (input.NetworkBoot && net is { } boot) boot.Phb.Open(boot.Node);
        return new SlofResult { Log = log, Hosts = hosts, Vars = vars };
    }
}
