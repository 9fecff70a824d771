using PciEmu.Cli;

namespace PciEmu.Robustness.Tests;

/// <summary>`pciemu sweep --jobs N`, `--shard I/K` and `--json`: the same results whatever the parallelism or split.</summary>
public class SweepScaleOutTests
{
    private const int FirstSeed = 500;
    private const int Count = 60;

    private static string Sweep(params string[] extra)
    {
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter();
        var code = PciEmuCli.Run(["sweep", "--seed", FirstSeed.ToString(), "--count", Count.ToString(), "--out", Path.GetTempPath(), .. extra], o, e);
        Assert.True(code is ExitCodes.Ok or ExitCodes.ExpectationFailed, $"exit {code}: {e}");
        return o.ToString();
    }

    [Fact]
    public void Json_OneLinePerSeed_InSeedOrder()
    {
        var lines = Sweep("--json").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Count, lines.Length);
        for (var i = 0; i < Count; i++) Assert.StartsWith($"{{\"seed\":{FirstSeed + i},", lines[i], StringComparison.Ordinal);
    }

    [Fact]
    public void TwoJobs_GiveTheSameResultsAsOne()
    {
        Assert.Equal(Sweep("--json"), Sweep("--json", "--jobs", "2"));
    }

    [Fact]
    public void Shards_ConcatenatedWithCat_EqualTheWholeSweep()
    {
        var whole = Sweep("--json");
        var parts = string.Concat(Enumerable.Range(1, 7).Select(i => Sweep("--json", "--shard", $"{i}/7")));
        Assert.Equal(whole, parts);
    }

    [Theory]
    [InlineData(1, 3, 0, 20)]
    [InlineData(3, 3, 40, 20)]
    [InlineData(2, 7, 8, 9)]
    public void Shard_IsAContiguousSeedRange(int i, int k, int offset, int count)
    {
        Assert.Equal((FirstSeed + offset, count), SweepShard.Apply(FirstSeed, Count, $"{i}/{k}"));
    }

    [Theory]
    [InlineData("--shard", "0/3")]
    [InlineData("--shard", "4/3")]
    [InlineData("--shard", "x")]
    [InlineData("--shard", "100/100")]
    [InlineData("--jobs", "0")]
    public void BadScaleOutOptions_AreInputErrors(string option, string value)
    {
        var e = new StringWriter();
        var code = PciEmuCli.Run(["sweep", "--count", Count.ToString(), option, value], new StringWriter(), e);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(option, e.ToString(), StringComparison.Ordinal);
    }
}
