using System.Buffers.Binary;
using System.Text;

using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Platform;

/// <summary>
/// The fw_cfg content QEMU 7.2 gives pc/q35 firmware that PciEmu models: fw_cfg_init_* legacy items
/// (signature, id, RAM size, CPU counts), fw_cfg_reboot's etc/boot-fail-wait, fw_cfg_arch_create's etc/e820 and
/// pc_memory_init's etc/reserved-memory-end (only with maxmem &gt; -m), and acpi_setup's etc/table-loader as a
/// file that is present (SeaBIOS's qemu_platform_setup moves pm_base to 0x600 when it is; its loader commands and the
/// ACPI tables they load are not modelled). SMBIOS, etc/system-states, bootorder and option ROMs are not modelled.
/// </summary>
public static class MachineFwCfg
{
    public const string E820File = "etc/e820";
    public const string ReservedMemoryEndFile = "etc/reserved-memory-end";
    public const string BootFailWaitFile = "etc/boot-fail-wait";
    public const string TableLoaderFile = "etc/table-loader";

    /// <summary>fw_cfg_reboot without -boot reboot-timeout: -1, "do not reboot".</summary>
    public const uint NoRebootTimeout = uint.MaxValue;

    /// <summary>FW_CFG_VERSION | FW_CFG_VERSION_DMA: traditional interface plus DMA.</summary>
    public const uint FwCfgIdTraditionalAndDma = 0x3;

    /// <summary>-smp default: one boot CPU, apic_id_limit 1.</summary>
    public const ushort DefaultCpus = 1;

    private static readonly byte[] Signature = Encoding.ASCII.GetBytes("QEMU");

    /// <summary>fw_cfg_arch_create + pc_memory_init.</summary>
    public static FwCfg Build(MemoryLayout layout)
    {
        var fw = new FwCfg();
        fw.AddItem(FwCfgKeys.Signature, Signature);
        fw.AddItem(FwCfgKeys.Id, U32(FwCfgIdTraditionalAndDma));
        fw.AddItem(FwCfgKeys.RamSize, U64(layout.RamSize));
        fw.AddItem(FwCfgKeys.NbCpus, U16(DefaultCpus));
        fw.AddItem(FwCfgKeys.MaxCpus, U16(DefaultCpus));
        fw.AddFile(BootFailWaitFile, U32(NoRebootTimeout));
        fw.AddFile(E820File, E820Entry.Encode(layout.E820));
        if (layout.ReservedMemoryEnd is { } end) fw.AddFileU64(ReservedMemoryEndFile, end);
        fw.AddFile(TableLoaderFile, Array.Empty<byte>());
        return fw;
    }

    private static byte[] U16(ushort v)
    {
        var b = new byte[sizeof(ushort)];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return b;
    }

    private static byte[] U32(uint v)
    {
        var b = new byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    private static byte[] U64(ulong v)
    {
        var b = new byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        return b;
    }
}
