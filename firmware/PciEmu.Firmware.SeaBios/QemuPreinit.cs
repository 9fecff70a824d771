using System.Buffers.Binary;
using PciEmu.Fabric.FirmwareTables;
using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios;

/// <summary>
/// What SeaBIOS does before pci_setup that touches PCI config space or the inputs of pci_setup:
/// make_bios_writable (src/fw/shadow.c), qemu_detect and qemu_early_e820 (src/fw/paravirt.c), the top-of-4G
/// BIOS reservation (qemu_preinit) and the pm_base move (qemu_platform_setup).
/// </summary>
internal sealed class QemuPreinit(PciConfig pci, DebugLog log, E820Map e820, FwCfgReader romfile, SeaBiosOptions options)
{
    private const uint CpuidFirstExtendedLeaf = 0x80000001;
    private const uint CpuidPhysBitsLeaf = 0x80000008;
    private const byte PaePhysBits = 36;
    private const byte NoPaePhysBits = 32;
    private const byte QuirkAlwaysValidPhysBits = 41;
    private const byte IntelValidPhysBits36 = 36;
    private const byte IntelValidPhysBits39 = 39;
    private const byte AmdValidPhysBits = 40;

    public uint RamSize;

    /// <summary>ShadowBDF: the host bridge make_bios_writable found (make_bios_readonly locks its PAMs), or -1.</summary>
    public int ShadowBDF = -1;
    public ulong RamSizeOver4G;

    /// <summary>CPUPhysBits (rel-1.16.3+): 0 until physbits() accepts a value.</summary>
    public byte CPUPhysBits;

    /// <summary>CPULongMode (rel-1.16.3+).</summary>
    public bool CPULongMode;

    /// <summary>make_bios_writable: find the i440fx/q35 host bridge with CF8-only scanning and open the PAMs.</summary>
    public void make_bios_writable()
    {
        log.Dprintf(3, "enabling shadow ram");
        foreach (var bdf in pci.ForEachIoconfigBdf(0))
        {
            var vendev = pci.pci_ioconfig_readl(bdf, PCI_VENDOR_ID);
            var vendor = (ushort)vendev;
            var device = (ushort)(vendev >> 16);
            if (vendor == PCI_VENDOR_ID_INTEL && device == PCI_DEVICE_ID_INTEL_82441)
            {
                ShadowBDF = bdf;
                make_bios_writable_intel(bdf, I440FX_PAM0);
                return;
            }
            if (vendor == PCI_VENDOR_ID_INTEL && device == PCI_DEVICE_ID_INTEL_Q35_MCH)
            {
                ShadowBDF = bdf;
                make_bios_writable_intel(bdf, Q35_HOST_BRIDGE_PAM0);
                return;
            }
        }
        log.Dprintf(1, "Unable to unlock ram - bridge not found");
    }

    /// <summary>
    /// make_bios_writable_intel + __make_bios_writable_intel: read PAM0, then rewrite both PAM dwords with
    /// 0xc0000-0x100000 read/write (the BIOS copy itself has no counterpart here).
    /// </summary>
    private void make_bios_writable_intel(int bdf, int pam0)
    {
        _ = pci.pci_ioconfig_readb(bdf, pam0); // "reg & 0x10" only chooses where the code runs from
        var at = pam0 & ~3;
        Span<byte> pamdata = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(pamdata, pci.pci_ioconfig_readl(bdf, at));
        BinaryPrimitives.WriteUInt32LittleEndian(pamdata[4..], pci.pci_ioconfig_readl(bdf, at + 4));
        var pam = pamdata[(pam0 & 3)..];
        for (var i = 0; i < PAM_UPPER_REGISTERS; i++) pam[i + 1] = PAM_PAIR_RW;
        pam[0] = PAM_F_SEGMENT_RW;
        pci.pci_ioconfig_writel(bdf, at, BinaryPrimitives.ReadUInt32LittleEndian(pamdata));
        pci.pci_ioconfig_writel(bdf, at + 4, BinaryPrimitives.ReadUInt32LittleEndian(pamdata[4..]));
    }

    /// <summary>qemu_detect: the northbridge at 00:00.0 with QEMU's subsystem IDs names the platform.</summary>
    public void qemu_detect()
    {
        var v = pci.pci_config_readw(0, PCI_VENDOR_ID);
        if (v is 0x0000 or 0xffff) return;
        var d = pci.pci_config_readw(0, PCI_DEVICE_ID);
        var sv = pci.pci_config_readw(0, PCI_SUBSYSTEM_VENDOR_ID);
        var sd = pci.pci_config_readw(0, PCI_SUBSYSTEM_ID);
        if (sv != QEMU_SUBSYSTEM_VENDOR || sd != QEMU_SUBSYSTEM_ID) return;
        switch (d)
        {
            case PCI_DEVICE_ID_INTEL_82441:
                log.Dprintf(1, "Running on QEMU (i440fx)");
                break;
            case PCI_DEVICE_ID_INTEL_Q35_MCH:
                log.Dprintf(1, "Running on QEMU (q35)");
                break;
            default:
                log.Dprintf(1, $"Running on QEMU (unknown nb: {v:x4}:{d:x4})");
                break;
        }
        if (options.Release >= SeaBiosRelease.Rel_1_16_3) physbits(qemu_quirk: true);
    }

    /// <summary>
    /// physbits (rel-1.16.3+): phys-bits from CPUID 0x80000008, trusted under QEMU only when it is &gt;= 41, or
    /// Intel with 36/39, or AMD with 40 (QEMU's defaults); without PAE/LM/leaf, 36 or 32 bits.
    /// </summary>
    private void physbits(bool qemu_quirk)
    {
        var cpu = options.Cpu;
        var valid = false;
        byte bits;
        if (cpu.MaxExtendedLeaf >= CpuidFirstExtendedLeaf) CPULongMode = cpu.LongMode;
        if (cpu.Pae && CPULongMode && cpu.MaxExtendedLeaf >= CpuidPhysBitsLeaf)
        {
            bits = cpu.PhysBits;
            if (!qemu_quirk) valid = true;
            else if (bits >= QuirkAlwaysValidPhysBits) valid = true;
            else if (cpu.Signature == SeaBiosCpu.IntelSignature) valid = bits is IntelValidPhysBits36 or IntelValidPhysBits39;
            else if (cpu.Signature == SeaBiosCpu.AmdSignature) valid = bits == AmdValidPhysBits;
        }
        else
        {
            bits = cpu.Pae ? PaePhysBits : NoPaePhysBits;
            valid = true;
        }
        log.Dprintf(1, $"physbits: signature=\"{cpu.Signature}\", pae={(cpu.Pae ? "yes" : "no")}, lm={(CPULongMode ? "yes" : "no")}, phys-bits={DebugLog.Dec(bits)}, valid={(valid ? "yes" : "no")}");
        if (valid) CPUPhysBits = bits;
    }

    /// <summary>
    /// qemu_early_e820: add etc/e820's RAM and RESERVED entries, derive RamSize (highest RAM end below 4 GiB) and
    /// RamSizeOver4G. Without etc/e820 upstream falls back to CMOS; the port takes <paramref name="cmosRamSize"/>.
    /// </summary>
    public void qemu_early_e820(uint cmosRamSize)
    {
        if (romfile.romfile_find("etc/e820") is not { } file)
        {
            // may happen on old qemu
            log.Dprintf(1, "qemu/e820: fw_cfg file etc/e820 not found");
            RamSize = cmosRamSize;
            e820.Add(0, RamSize, E820Type.Ram);
            log.Dprintf(1, $"RamSize: 0x{DebugLog.Hex32(RamSize, 8, true)} [cmos]");
            return;
        }
        foreach (var table in E820Entry.Decode(file.Span))
        {
            switch (table.Type)
            {
                case E820Type.Reserved:
                    e820.Add(table.Start, table.Length, table.Type);
                    log.Dprintf(options.Release >= SeaBiosRelease.Rel_1_16_3 ? 1 : 3,
                        $"qemu/e820: addr 0x{DebugLog.Hex(table.Start, 16, true)} len 0x{DebugLog.Hex(table.Length, 16, true)} [reserved]");
                    break;
                case E820Type.Ram:
                    e820.Add(table.Start, table.Length, table.Type);
                    log.Dprintf(1, $"qemu/e820: addr 0x{DebugLog.Hex(table.Start, 16, true)} len 0x{DebugLog.Hex(table.Length, 16, true)} [RAM]");
                    AccountRam(table);
                    break;
            }
        }
        log.Dprintf(3, $"qemu/e820: RamSize: 0x{DebugLog.Hex32(RamSize, 8, true)}");
        log.Dprintf(3, $"qemu/e820: RamSizeOver4G: 0x{DebugLog.Hex(RamSizeOver4G, 16, true)}");
    }

    /// <summary>The RamSize / RamSizeOver4G bookkeeping of qemu_early_e820 for one RAM entry.</summary>
    public void AccountRam(E820Entry table)
    {
        if (table.Type != E820Type.Ram) return;
        if (table.Start < GiB4)
        {
            // below 4g
            if (RamSize < table.Start + table.Length) RamSize = (uint)(table.Start + table.Length);
        }
        else if (RamSizeOver4G < table.Start + table.Length - GiB4)
        {
            // above 4g
            RamSizeOver4G = table.Start + table.Length - GiB4;
        }
    }

    /// <summary>qemu_preinit: reserve 256KB BIOS area at the end of 4 GB.</summary>
    public void ReserveBiosTop() => e820.Add(BUILD_BIOS_TOP_RESERVE_ADDR, BUILD_BIOS_TOP_RESERVE_SIZE, E820Type.Reserved);

    /// <summary>qemu_platform_setup: with the ACPI table loader present, pm_base moves to 0x600.</summary>
    public ushort AcpiPmBase()
    {
        if (romfile.romfile_find("etc/table-loader") is null) return PORT_ACPI_PM_BASE;
        log.Dprintf(1, $"Moving pm_base to 0x{DebugLog.Hex32(QEMU_ACPI_PM_BASE)}");
        return QEMU_ACPI_PM_BASE;
    }
}
