namespace PciEmu.Os.Tests.Support;

/// <summary>Finds ../shared by walking up from the test binary.</summary>
public static class SharedPaths
{
    public static string? Shared => PciEmu.Testing.Recordings.Root is { } root ? Path.GetDirectoryName(root) : null;

    public static string? Conformance => PciEmu.Testing.Recordings.Root;
}
