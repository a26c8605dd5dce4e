using ClaudePS.Engine.Redaction;
using Xunit;
using Xunit.Abstractions;

namespace ClaudePS.Engine.Tests.Redaction;

public sealed class CorpusTests
{
    private readonly ITestOutputHelper _output;

    public CorpusTests(ITestOutputHelper output) => _output = output;

    internal static string CorpusPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "ClaudePS.Engine.Tests", "Redaction", "Corpus", "corpus.txt");
            if (File.Exists(candidate)) return candidate;
            dir = dir.Parent;
        }
        throw new FileNotFoundException("corpus.txt not found above " + AppContext.BaseDirectory);
    }

    internal static List<LabelledDocument> Load() => RedactionEvaluation.ParseCorpus(File.ReadAllText(CorpusPath()));

    [Fact]
    public void Every_type_has_precision_and_recall_of_at_least_0_98()
    {
        var docs = Load();
        var redactor = new Redactor(RedactionOptions.Strict);
        var mistakes = new List<string>();
        var scores = RedactionEvaluation.Score(docs, t => RedactionEvaluation.Detect(redactor, t), mistakes);
        foreach (var m in mistakes) _output.WriteLine(m);
        foreach (var (type, s) in scores)
            _output.WriteLine($"{type,-20} P={s.Precision:F3} R={s.Recall:F3} tp={s.TruePositives} fp={s.FalsePositives} fn={s.FalseNegatives}");
        Assert.True(scores.Count >= 20, "the corpus labels every type");
        foreach (var (type, s) in scores)
        {
            Assert.True(s.Precision >= 0.98, $"{type} precision {s.Precision:F3}");
            Assert.True(s.Recall >= 0.98, $"{type} recall {s.Recall:F3}");
        }
    }
}
