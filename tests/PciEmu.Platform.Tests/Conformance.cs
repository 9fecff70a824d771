namespace PciEmu.Platform.Tests;

/// <summary>Finds ../shared/conformance (or $PCIEMU_CONFORMANCE) from the test binary.</summary>
internal static class Conformance
{
    public static string? Root => PciEmu.Testing.Recordings.Root;

    public static IEnumerable<string> Cases(string requiredFile) => PciEmu.Testing.Recordings.Cases(requiredFile, includeSets: false);
}
