using System.Collections.Generic;
using System.Text;
using R = ClaudePS.Engine.Redaction.RedactionRegexes;

namespace ClaudePS.Engine.Redaction;

/// <summary>
/// National ids outside the US (the International profile, and Strict). Each is validated by its
/// published check digit where it has one; where the shape alone is common (nine or ten plain digits),
/// a context word must stand near it.
/// </summary>
internal static partial class BuiltInRecognizers
{
    // Above cards, IBANs and SSNs: where an id's own rule and context agree, the specific reading wins.
    private const int IdPriority = 52;

    private static IEnumerable<Recognizer> NationalIds() => new Recognizer[]
    {
        new("UkNino", Intl, IdPriority, () => R.UkNino, UkNino, Candidates.LettersThenDigits(NinoStart), 2),
        new("UkNhsNumber", Intl, IdPriority, () => R.UkNhs, c => Numeric(c, "UkNhsNumber", Checksums.NhsNumber, NhsWords, always: false), Candidates.DigitGroups(3, " -", 10), 48),
        new("CaSin", Intl, IdPriority, () => R.CaSin, c => Numeric(c, "CaSin", d => d[0] != '0' && d[0] != '8' && Checksums.Luhn(d), SinWords, always: false), Candidates.DigitGroups(3, " -", 9), 48),
        new("AuTfn", Intl, IdPriority, () => R.AuTfn, c => Numeric(c, "AuTfn", Checksums.AustralianTfn, TfnWords, always: false),
            Candidates.DigitRuns(0, (t, d, e) => e - d == 8 || e - d == 9 || ((e - d == 2 || e - d == 3) && e < t.Length && (t[e] == ' ' || t[e] == '-'))), 48),
        new("AuMedicare", Intl, IdPriority, () => R.AuMedicare, c => Numeric(c, "AuMedicare", Checksums.AustralianMedicare, MedicareWords, always: false), Candidates.DigitGroups(4, " -", 10, 11), 48),
        new("InAadhaar", Intl, IdPriority, () => R.InAadhaar, Aadhaar, Candidates.DigitGroups(4, " -", 12), 48),
        new("InPan", Intl, IdPriority, () => R.InPan, c => Whole(c, "InPan", IdPriority), Candidates.LettersThenDigits((t, d, e) => e - d == 4 && Candidates.UpperRun(t, d - 5, 5) ? d - 5 : -1), 2),
        new("EsDni", Intl, IdPriority, () => R.EsDni, c => Compact(c, "EsDni", Checksums.SpanishDni), Candidates.LettersThenDigits(DniStart), 2),
        new("ItFiscalCode", Intl, IdPriority, () => R.ItFiscalCode, c => Compact(c, "ItFiscalCode", Checksums.ItalianFiscalCode), Candidates.LettersThenDigits((t, d, e) => Candidates.UpperRun(t, d - 6, 6) ? d - 6 : -1), 2),
        new("SgNric", Intl, IdPriority, () => R.SgNric, c => Compact(c, "SgNric", Checksums.SingaporeNric), Candidates.LettersThenDigits((t, d, e) => e - d == 7 && d >= 1 && "STFGM".IndexOf(t[d - 1]) >= 0 ? d - 1 : -1), 2),
        new("FrNir", Intl, IdPriority, () => R.FrNir, c => Compact(c, "FrNir", Checksums.FrenchNir), Candidates.DigitRuns(0, (t, d, e) => (t[d] == '1' || t[d] == '2') && (e - d == 15 || e - d == 6 || (e - d == 1 && e < t.Length && t[e] == ' '))), 4),
        new("BrCpf", Intl, IdPriority, () => R.BrCpf, c => Numeric(c, "BrCpf", Checksums.BrazilCpf, CpfWords, always: c.Match.Value.IndexOf('.') > 0), Candidates.DigitGroups(3, ".", 9, 11), 48),
    };

    private static readonly string[] NhsWords = { "nhs", "national health", "health service", "chi" };
    private static readonly string[] SinWords = { "sin", "social insurance", "insurance number", "nas", "assurance sociale" };
    private static readonly string[] TfnWords = { "tfn", "tax file" };
    private static readonly string[] MedicareWords = { "medicare" };
    private static readonly string[] AadhaarWords = { "aadhaar", "aadhar", "adhaar", "uid", "uidai", "enrolment", "enrollment" };
    private static readonly string[] CpfWords = { "cpf", "cadastro" };

    private static readonly HashSet<string> NinoPrefixes = new(System.StringComparer.Ordinal) { "BG", "GB", "KN", "NK", "NT", "TN", "ZZ" };

    private static int NinoStart(string t, int d, int e)
    {
        // AB123456C, or AB 12 34 56 C: the first digits follow the two prefix letters, right away or after one separator.
        if (e - d != 6 && e - d != 2) return -1;
        if (Candidates.UpperRun(t, d - 2, 2)) return d - 2;
        if (d >= 3 && (t[d - 1] == ' ' || t[d - 1] == '-') && Candidates.UpperRun(t, d - 3, 2)) return d - 3;
        return -1;
    }

    private static int DniStart(string t, int d, int e)
    {
        if (e - d == 8 || e - d == 2) return d;                                   // 12345678Z, 12.345.678-Z
        if (e - d == 7 && d >= 1 && "XYZ".IndexOf(t[d - 1]) >= 0) return d - 1;   // X1234567L
        if (e - d == 7 && d >= 2 && t[d - 1] == '-' && "XYZ".IndexOf(t[d - 2]) >= 0) return d - 2;
        return -1;
    }

    private static Finding? UkNino(Candidate c) =>
        NinoPrefixes.Contains(c.Match.Value.Substring(0, 2)) ? null : Whole(c, "UkNino", IdPriority);

    /// <summary>The match without separators.</summary>
    private static string CompactOf(string v)
    {
        var sb = new StringBuilder(v.Length);
        foreach (char ch in v) if (ch != ' ' && ch != '-' && ch != '.' && ch != '/') sb.Append(ch);
        return sb.ToString();
    }

    private static Finding? Compact(Candidate c, string type, System.Func<string, bool> valid) =>
        valid(CompactOf(c.Match.Value)) ? Whole(c, type, IdPriority) : null;

    /// <summary>
    /// A plain-digit id: its check digits must hold, and unless <paramref name="always"/> (a shape only that
    /// id takes), one of <paramref name="words"/> must stand within 48 characters before or 24 after it.
    /// </summary>
    private static Finding? Numeric(Candidate c, string type, System.Func<string, bool> valid, string[] words, bool always)
    {
        string d = CompactOf(c.Match.Value);
        if (!valid(d)) return null;
        if (!always && !TextScan.HasWord(c.Text, c.Start - 48, c.Start, words) && !TextScan.HasWord(c.Text, c.End, c.End + 24, words)) return null;
        return Whole(c, type, IdPriority);
    }

    /// <summary>True when the span is only part of a longer run of spaced groups (an IBAN, a long reference).</summary>
    private static bool InLongerGroupRun(string t, int start, int end)
    {
        if (end + 1 < t.Length && t[end] == ' ' && char.IsDigit(t[end + 1])) return true;
        if (start < 2 || t[start - 1] != ' ') return false;
        // The word before: a group of at most four letters and digits holding a digit (PL51, 0193).
        int i = start - 1;
        bool digit = false;
        while (i > 0 && TextScan.IsAlnum(t[i - 1]) && start - 1 - i < 5) { i--; digit |= char.IsDigit(t[i]); }
        return digit && start - 1 - i <= 4 && (i == 0 || !TextScan.IsAlnum(t[i - 1]));
    }

    private static Finding? Aadhaar(Candidate c)
    {
        // Spaced 4-4-4 is how the card prints it; other shapes need the word.
        bool spaced = c.Match.Value.Length == 14 && c.Match.Value[4] == ' ' && !InLongerGroupRun(c.Text, c.Start, c.End);
        return Numeric(c, "InAadhaar", Checksums.Verhoeff, AadhaarWords, always: spaced);
    }
}
