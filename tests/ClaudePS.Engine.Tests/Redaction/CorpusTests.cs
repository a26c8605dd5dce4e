using ClaudePS.Engine.Redaction;
using Xunit;
using Xunit.Abstractions;

namespace ClaudePS.Engine.Tests.Redaction;

/// <summary>
/// Precision and recall per type on the labelled corpus (generate_corpus.py: synthetic text and values
/// built from the published formats and check-digit rules), for every profile: each type a profile
/// claims must reach recall 0.95 at precision 0.97, and the profile must find nothing else. The
/// held-out corpus is the same generator with another seed, never looked at while tuning: new values and
/// new draws of the templates.
/// </summary>
public sealed class CorpusTests
{
    private readonly ITestOutputHelper _output;

    public CorpusTests(ITestOutputHelper output) => _output = output;

    internal static string CorpusPath(string file = "corpus.txt")
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "ClaudePS.Engine.Tests", "Redaction", "Corpus", file);
            if (File.Exists(candidate)) return candidate;
            dir = dir.Parent;
        }
        throw new FileNotFoundException(file + " not found above " + AppContext.BaseDirectory);
    }

    internal static List<LabelledDocument> Load(string file = "corpus.txt") => RedactionEvaluation.ParseCorpus(File.ReadAllText(CorpusPath(file)));

    public static TheoryData<string, RedactionProfile> Profiles()
    {
        var data = new TheoryData<string, RedactionProfile>();
        foreach (var file in new[] { "corpus.txt", "corpus-heldout.txt" })
            foreach (var p in new[] { RedactionProfile.Secrets, RedactionProfile.Standard, RedactionProfile.International, RedactionProfile.Strict })
                data.Add(file, p);
        return data;
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Every_type_a_profile_claims_has_recall_0_95_at_precision_0_97(string file, RedactionProfile profile)
    {
        var claimed = RedactionEvaluation.ClaimedTypes(profile);
        var docs = RedactionEvaluation.ForProfile(Load(file), profile);
        var redactor = new Redactor(new RedactionOptions { Profile = profile });
        var mistakes = new List<string>();
        var scores = RedactionEvaluation.Score(docs, t => RedactionEvaluation.Detect(redactor, t), mistakes);
        foreach (var m in mistakes) _output.WriteLine(m);
        foreach (var (type, s) in scores)
            _output.WriteLine($"{profile} {type,-20} P={s.Precision:F3} R={s.Recall:F3} tp={s.TruePositives} fp={s.FalsePositives} fn={s.FalseNegatives}");

        foreach (var type in claimed)
        {
            Assert.True(scores.TryGetValue(type, out var s) && s.TruePositives >= 8, $"{profile}: the corpus holds too few {type} cases to score it");
            Assert.True(s!.Precision >= 0.97, $"{profile}: {type} precision {s.Precision:F3}");
            Assert.True(s.Recall >= 0.95, $"{profile}: {type} recall {s.Recall:F3}");
        }
        foreach (var type in scores.Keys) Assert.Contains(type, claimed);
    }

    [Fact]
    public void Each_profile_claims_the_types_of_the_one_below_and_more()
    {
        var order = new[] { RedactionProfile.Secrets, RedactionProfile.Standard, RedactionProfile.International, RedactionProfile.Strict };
        for (int i = 1; i < order.Length; i++)
        {
            var lower = RedactionEvaluation.ClaimedTypes(order[i - 1]);
            var higher = RedactionEvaluation.ClaimedTypes(order[i]);
            Assert.Superset(lower, higher);
            Assert.True(higher.Count > lower.Count, $"{order[i]} adds nothing to {order[i - 1]}");
        }
        Assert.Empty(RedactionEvaluation.ClaimedTypes(RedactionProfile.None));
        Assert.Contains("InAadhaar", RedactionEvaluation.ClaimedTypes(RedactionProfile.International));
        Assert.DoesNotContain("InAadhaar", RedactionEvaluation.ClaimedTypes(RedactionProfile.Standard));
        Assert.DoesNotContain("Phone", RedactionEvaluation.ClaimedTypes(RedactionProfile.International));
    }
}
