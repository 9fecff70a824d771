using PciEmu.Core;
using PciEmu.Os.Resources;

namespace PciEmu.Os.Model;

/// <summary>struct pci_dev as far as enumeration and resource management need it.</summary>
public sealed class PciDev
{
    /// <summary>PCI_NUM_RESOURCES (BARs 0-5, ROM 6, IOV 7-12, bridge windows 13-16).</summary>
    public const int NumResources = 17;
    public const int RomResource = 6;
    public const int BridgeResources = 13;
    public const int BridgeIoWindow = 13;
    public const int BridgeMemWindow = 14;
    public const int BridgePrefWindow = 15;
    public const int BridgeResourceEnd = 16;

    public PciDev(Bdf bdf, PciBusNode bus)
    {
        Bdf = bdf;
        Bus = bus;
        for (var i = 0; i < NumResources; i++) Resources[i] = new Resource(Name, 0, 0, ResFlags.None);
    }

    public Bdf Bdf { get; }
    public PciBusNode Bus { get; }
    public PciBusNode? Subordinate { get; set; }
    public ushort Vendor { get; set; }
    public ushort Device { get; set; }

    /// <summary>24-bit class code (class &lt;&lt; 16 | subclass &lt;&lt; 8 | prog-if).</summary>
    public uint Class { get; set; }
    public byte HdrType { get; set; }
    public bool Multifunction { get; set; }
    public int PcieCap { get; set; }
    public PcieType? PcieType { get; set; }
    public bool IsHotplugBridge { get; set; }
    public bool IoWindow { get; set; }
    public bool PrefWindow { get; set; }
    public bool Pref64Window { get; set; }
    public bool Transparent { get; set; }
    public bool Enabled { get; set; }
    public bool Added { get; set; }
    public int ShpcCap { get; set; }
    public bool HasAer { get; set; }
    public int RomBaseReg { get; set; }

    /// <summary>The driver the device is bound to ("pcieport", "shpchp") or null (prints as "pci").</summary>
    public string? Driver { get; set; }

    public Resource[] Resources { get; } = new Resource[NumResources];

    /// <summary>The BARs as sized at scan time (index, flags, size), kept for hot-plug verdicts.</summary>
    public List<(int Index, ResFlags Flags, ulong Size)> ProbedBars { get; } = [];

    /// <summary>dev->fw_addr: firmware addresses saved when a claim failed (pcibios_save_fw_addr).</summary>
    public ulong[] FwAddr { get; } = new ulong[NumResources];

    /// <summary>dev_name: "0000:bb:dd.f".</summary>
    public string Name => Bdf.ToString("D", null);

    public bool IsBridge => HdrType == CommonHeader.HeaderTypeBridge;
    public int ClassCode => (int)(Class >> PciRegs.ClassShift);
    public bool IsPcie => PcieCap != 0;

    /// <summary>pcie_downstream_port.</summary>
    public bool IsPcieDownstreamPort => PcieType is Core.PcieType.RootPort or Core.PcieType.DownstreamPort or Core.PcieType.PciToPcieBridge;

    public override string ToString() => Name;
}
