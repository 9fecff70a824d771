namespace PciEmu.Firmware.SeaBios.Tests;

internal static class LogAssert
{
    /// <summary>Asserts that <paramref name="expected"/> appear in <paramref name="log"/> as a contiguous block.</summary>
    public static void ContainsBlock(IReadOnlyList<string> log, params string[] expected)
    {
        for (var i = 0; i + expected.Length <= log.Count; i++)
        {
            if (log.Skip(i).Take(expected.Length).SequenceEqual(expected)) return;
        }
        Assert.Fail("block not found:\n  " + string.Join("\n  ", expected) + "\nlog:\n  " + string.Join("\n  ", log));
    }
}
