using System;
using System.Collections;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace ClaudePS.Engine.Redaction;

/// <summary>Which recognizers run.</summary>
public enum RedactionProfile
{
    /// <summary>Nothing built in (custom patterns still apply).</summary>
    None = 0,
    /// <summary>Credentials only.</summary>
    Secrets = 1,
    /// <summary>Credentials, payment cards, US national ids (SSN, ITIN) and IBANs: the default for output.</summary>
    Standard = 2,
    /// <summary>
    /// Standard plus national ids outside the US: UK NINO and NHS number, Canadian SIN, Australian TFN and
    /// Medicare number, Indian Aadhaar and PAN, Spanish DNI/NIE, Italian codice fiscale, Singapore NRIC/FIN,
    /// French NIR and Brazilian CPF.
    /// </summary>
    International = 3,
    /// <summary>International plus email addresses, phone numbers, IP addresses and crypto wallets.</summary>
    Strict = 4,
}

/// <summary>A user-supplied pattern: every match is replaced and counted under <see cref="Name"/>.</summary>
public sealed class CustomRedactionPattern
{
    public CustomRedactionPattern(string name, string pattern)
    {
        if (string.IsNullOrWhiteSpace(name)) throw InvalidPattern("a custom redaction pattern has no Name. Pass @{ Name = 'TicketId'; Pattern = '...' }.");
        if (string.IsNullOrEmpty(pattern)) throw InvalidPattern($"the custom redaction pattern '{name}' has no Pattern. Pass @{{ Name = '{name}'; Pattern = '...' }}.");
        foreach (char c in name)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.'))
                throw InvalidPattern($"the custom redaction pattern name '{name}' may hold only letters, digits, '_', '-' and '.'.");
        }
        try { _ = new Regex(pattern, RegexOptions.CultureInvariant); }
        catch (ArgumentException ex)
        {
            throw InvalidPattern($"the custom redaction pattern '{name}' is not a valid .NET regular expression ({ex.Message}). Fix the Pattern value.");
        }
        Name = name;
        Pattern = pattern;
    }

    public string Name { get; }
    public string Pattern { get; }

    private static ClaudeException InvalidPattern(string message) =>
        new(new ClaudeError("ClaudePS.InvalidRedactPattern", ClaudeErrorCategory.InvalidArgument, "redaction: " + message));
}

/// <summary>What to redact and how the replacement looks. Immutable once built; share one per pipeline.</summary>
public sealed class RedactionOptions
{
    public const string DefaultPlaceholderFormat = "[REDACTED:{type}]";

    public static RedactionOptions None { get; } = new() { Profile = RedactionProfile.None };
    public static RedactionOptions Secrets { get; } = new() { Profile = RedactionProfile.Secrets };
    public static RedactionOptions Standard { get; } = new() { Profile = RedactionProfile.Standard };
    public static RedactionOptions International { get; } = new() { Profile = RedactionProfile.International };
    public static RedactionOptions Strict { get; } = new() { Profile = RedactionProfile.Strict };

    public RedactionProfile Profile { get; init; } = RedactionProfile.Standard;
    public IReadOnlyList<CustomRedactionPattern> CustomPatterns { get; init; } = Array.Empty<CustomRedactionPattern>();
    /// <summary>Values never redacted: exact text, or a pattern with '*' wildcards (case-insensitive), e.g. '*@contoso.com'.</summary>
    public IReadOnlyList<string> AllowList { get; init; } = Array.Empty<string>();
    /// <summary>The replacement text: <c>{type}</c> is the type name, <c>{last4}</c> a card's last four digits (empty otherwise).</summary>
    public string PlaceholderFormat { get; init; } = DefaultPlaceholderFormat;
    /// <summary>Keep a card's last four digits in its placeholder (<c>[REDACTED:CreditCard:1111]</c> with the default format).</summary>
    public bool KeepCardLast4 { get; init; }
    /// <summary>Also redact the public test card numbers (4111 1111 1111 1111, 4242…); by default they are left alone.</summary>
    public bool RedactTestCards { get; init; }
    /// <summary>Match timeout for custom patterns. A timeout fails closed: the rest of the scanned text is redacted.</summary>
    public TimeSpan MatchTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>True when nothing would ever be redacted.</summary>
    public bool IsOff => Profile == RedactionProfile.None && CustomPatterns.Count == 0;

    /// <summary>Parses a profile name (None, Secrets, Standard, International, Strict; case-insensitive).</summary>
    public static RedactionProfile ParseProfile(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return RedactionProfile.Standard;
        foreach (RedactionProfile p in Enum.GetValues(typeof(RedactionProfile)))
        {
            if (string.Equals(p.ToString(), name!.Trim(), StringComparison.OrdinalIgnoreCase)) return p;
        }
        throw new ClaudeException(new ClaudeError("ClaudePS.InvalidRedactProfile", ClaudeErrorCategory.InvalidArgument,
            $"redaction: '{name}' is not a redaction profile. Use None, Secrets, Standard, International or Strict."));
    }

    /// <summary>
    /// Builds options from cmdlet-style parameters: a profile name, hashtables with Name and Pattern keys
    /// (any IDictionary; keys case-insensitive) and allow-list entries.
    /// </summary>
    public static RedactionOptions FromParameters(string? profile, IEnumerable? patterns, IEnumerable<string>? allow)
    {
        var custom = new List<CustomRedactionPattern>();
        if (patterns is not null)
        {
            foreach (object? item in patterns)
            {
                if (item is not IDictionary table)
                    throw new ClaudeException(new ClaudeError("ClaudePS.InvalidRedactPattern", ClaudeErrorCategory.InvalidArgument,
                        "redaction: each -RedactPattern item must be a hashtable like @{ Name = 'TicketId'; Pattern = 'TCK-[0-9]{6}' }."));
                custom.Add(new CustomRedactionPattern(Lookup(table, "Name") ?? "", Lookup(table, "Pattern") ?? ""));
            }
        }
        var allowList = new List<string>();
        if (allow is not null)
        {
            foreach (var a in allow) if (!string.IsNullOrEmpty(a)) allowList.Add(a);
        }
        return new RedactionOptions { Profile = ParseProfile(profile), CustomPatterns = custom, AllowList = allowList };
    }

    private static string? Lookup(IDictionary table, string key)
    {
        foreach (DictionaryEntry e in table)
        {
            if (e.Key is string k && string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) return e.Value?.ToString();
        }
        return null;
    }
}
