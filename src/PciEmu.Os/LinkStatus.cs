using System.Globalization;
using PciEmu.Core;
using PciEmu.Os.Model;

namespace PciEmu.Os;

/// <summary>drivers/pci/pci.c: the link bandwidth report pci_init_capabilities makes for every new PCIe device.</summary>
internal sealed class LinkStatus(PciCore core) : PciCorePart(core)
{
    private const int MbitPerGbit = 1000;

    /// <summary>pcie_link_speed[] / PCIE_SPEED2MBS_ENC / pci_speed_string, by the 1-based speed code of LNKSTA/LNKCAP
    /// (2.5, 5, 8, 16, 32, 64 GT/s; 8b/10b below 8 GT/s, 128b/130b from 8 GT/s, 1b/1b at 64 GT/s).</summary>
    private static readonly (int Mbps, string Name)[] LinkSpeeds =
    [
        (0, "Unknown"),
        (2000, "2.5 GT/s PCIe"),
        (4000, "5.0 GT/s PCIe"),
        (8000 * 128 / 130, "8.0 GT/s PCIe"),
        (16000 * 128 / 130, "16.0 GT/s PCIe"),
        (32000 * 128 / 130, "32.0 GT/s PCIe"),
        (64000, "64.0 GT/s PCIe"),
    ];

    /// <summary>pcie_report_downtraining: endpoints, legacy endpoints and upstream ports, function 0 only, report when
    /// the fabric above them allows less than they are capable of (__pcie_print_link_status, not verbose).</summary>
    public void PcieReportDowntraining(PciDev dev)
    {
        if (dev.PcieType is not (PcieType.Endpoint or PcieType.LegacyEndpoint or PcieType.UpstreamPort)) return;
        if (dev.Bdf.Function != 0) return;
        var (capBw, capSpeed, capWidth) = PcieBandwidthCapable(dev);
        var (bw, limiting, speed, width) = PcieBandwidthAvailable(dev);
        if (bw >= capBw) return;
        Log.Dev(dev, string.Create(CultureInfo.InvariantCulture,
            $"{bw / MbitPerGbit}.{bw % MbitPerGbit:D3} Gb/s available PCIe bandwidth, limited by {SpeedName(speed)} x{width} link at "
            + $"{limiting.Name} (capable of {capBw / MbitPerGbit}.{capBw % MbitPerGbit:D3} Gb/s with {SpeedName(capSpeed)} x{capWidth} link)"));
    }

    /// <summary>pcie_bandwidth_capable: pcie_get_speed_cap (LNKCAP2's highest supported speed, else LNKCAP) times
    /// pcie_get_width_cap.</summary>
    private (int Bw, int Speed, int Width) PcieBandwidthCapable(PciDev dev)
    {
        var v2 = (Read16(dev, dev.PcieCap + PcieCap.Flags) & PcieCap.FlagsVersionMask) > 1; // LNKCAP2 exists from capability version 2
        var lnkcap2 = v2 ? Read32(dev, dev.PcieCap + PcieCap.LnkCap2) & PcieCap.LnkCap2SlsMask : 0;
        var lnkcap = Read32(dev, dev.PcieCap + PcieCap.LnkCap);
        var speed = lnkcap2 != 0 ? 31 - System.Numerics.BitOperations.LeadingZeroCount(lnkcap2) : (int)(lnkcap & PcieCap.LnkCapSpeedMask);
        var width = (int)((lnkcap & PcieCap.LnkCapWidthMask) >> PcieCap.LnkCapWidthShift);
        if (speed >= LinkSpeeds.Length) speed = 0;
        return (speed == 0 || width == 0 ? 0 : width * LinkSpeeds[speed].Mbps, speed, width);
    }

    /// <summary>pcie_bandwidth_available: walk up through pci_upstream_bridge; each device's LNKSTA (0 when it has no
    /// link registers: not PCIe, or a root-complex integrated device) and the last device whose bandwidth is at most
    /// the lowest so far is the limiting one.</summary>
    private (int Bw, PciDev Limiting, int Speed, int Width) PcieBandwidthAvailable(PciDev dev)
    {
        var bw = 0;
        var limiting = dev;
        int speed = 0, width = 0;
        for (PciDev? d = dev; d is not null; d = d.Bus.Self)
        {
            var lnksta = HasLinkRegisters(d) ? Read16(d, d.PcieCap + PcieCap.LnkSta) : 0;
            var nextSpeed = lnksta & PcieCap.LnkStaSpeedMask;
            if (nextSpeed >= LinkSpeeds.Length) nextSpeed = 0;
            var nextWidth = (lnksta & PcieCap.LnkStaWidthMask) >> PcieCap.LnkStaWidthShift;
            var nextBw = nextWidth * LinkSpeeds[nextSpeed].Mbps;
            if (bw == 0 || nextBw <= bw)
            {
                bw = nextBw;
                limiting = d;
                speed = nextSpeed;
                width = nextWidth;
            }
        }
        return (bw, limiting, speed, width);
    }

    /// <summary>pcie_cap_has_lnkctl: the port and endpoint types that implement the link registers.</summary>
    private static bool HasLinkRegisters(PciDev d) => d.PcieCap != 0 && d.PcieType is PcieType.RootPort or PcieType.Endpoint
        or PcieType.LegacyEndpoint or PcieType.UpstreamPort or PcieType.DownstreamPort or PcieType.PcieToPciBridge
        or PcieType.PciToPcieBridge;

    private static string SpeedName(int speed) => LinkSpeeds[speed].Name;
}
