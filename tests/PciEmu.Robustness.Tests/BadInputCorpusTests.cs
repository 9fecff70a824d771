using System.Text;
using PciEmu.Cli;

namespace PciEmu.Robustness.Tests;

/// <summary>
/// The bad-input corpus (BadInput/bad-input.txt): each case exits 2 with one message naming the offending token or
/// file line (QEMU's words where QEMU rejects the same input), never a stack trace, and writes nothing to stdout.
/// </summary>
public sealed class BadInputCorpusTests : IDisposable
{
    private const string CorpusFile = "BadInput/bad-input.txt";
    private const string Separator = " | ";
    private const string FilePrefix = "FILE=";
    private const string ScenarioName = "case.pciemu";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pciemu-bad-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    public static TheoryData<int, string, string> Cases()
    {
        var data = new TheoryData<int, string, string>();
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, CorpusFile));
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var split = line.IndexOf(Separator, StringComparison.Ordinal);
            data.Add(i + 1, line[..split], line[(split + Separator.Length)..]);
        }
        return data;
    }

    [Fact]
    public void Corpus_HasAtLeastFiftyCases() => Assert.True(Cases().Count >= 50, $"{Cases().Count} cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadInput_ExitsTwo_WithOneMessage_NoStackTrace(int line, string expected, string arguments)
    {
        var args = Words(arguments).Select(MaterialiseFile).ToArray();
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var code = PciEmuCli.Run(args, stdout, stderr);
        var err = stderr.ToString();
        Assert.True(code == ExitCodes.BadInput, $"line {line}: exit {code}, stderr: {err}");
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.StartsWith("pciemu: ", err, StringComparison.Ordinal);
        Assert.Equal(1, err.Split('\n').Count(l => l.StartsWith("pciemu: ", StringComparison.Ordinal)));
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout.ToString());
    }

    private string MaterialiseFile(string word)
    {
        if (!word.StartsWith(FilePrefix, StringComparison.Ordinal)) return word;
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, ScenarioName);
        File.WriteAllText(path, word[FilePrefix.Length..].Replace("\\n", "\n", StringComparison.Ordinal));
        return path;
    }

    /// <summary>Splits on spaces; 'single quotes' group words.</summary>
    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in text)
        {
            if (c == '\'')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any) words.Add(current.ToString());
                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }
        if (any) words.Add(current.ToString());
        return words;
    }
}
