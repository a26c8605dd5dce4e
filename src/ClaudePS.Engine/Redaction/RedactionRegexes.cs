using System;
using System.Text.RegularExpressions;
using P = ClaudePS.Engine.Redaction.RedactionPatterns;

namespace ClaudePS.Engine.Redaction;

/// <summary>
/// The built-in regexes: source-generated on net8.0, compiled on netstandard2.0, from the same pattern
/// text. A match that runs past <see cref="TimeoutMilliseconds"/> throws, and the redactor fails closed.
/// </summary>
internal static partial class RedactionRegexes
{
    public const int TimeoutMilliseconds = 1000;
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;
    // Recognizer regexes are tried only at candidate starts the prefilter found, so each is anchored there.
    private const string Anchor = @"\G(?:";

#if NET8_0_OR_GREATER
    public static Regex Anthropic => AnthropicGen();
    public static Regex OpenAI => OpenAIGen();
    public static Regex AwsKeyId => AwsKeyIdGen();
    public static Regex AwsSecret => AwsSecretGen();
    public static Regex GitHub => GitHubGen();
    public static Regex GitLab => GitLabGen();
    public static Regex Slack => SlackGen();
    public static Regex Stripe => StripeGen();
    public static Regex Google => GoogleGen();
    public static Regex AzureKey => AzureKeyGen();
    public static Regex Jwt => JwtGen();
    public static Regex PemBlock => PemBlockGen();
    public static Regex PuttyBlock => PuttyBlockGen();
    public static Regex UrlCredential => UrlCredentialGen();
    public static Regex AuthorizationHeader => AuthorizationHeaderGen();
    public static Regex GenericSecret => GenericSecretGen();
    public static Regex Card => CardGen();
    public static Regex Ssn => SsnGen();
    public static Regex Iban => IbanGen();
    public static Regex Email => EmailGen();
    public static Regex Phone => PhoneGen();
    public static Regex IPv4 => IPv4Gen();
    public static Regex IPv6 => IPv6Gen();
    public static Regex Base58Wallet => Base58WalletGen();
    public static Regex Bech32Wallet => Bech32WalletGen();
    public static Regex EthWallet => EthWalletGen();
    public static Regex GrowthTail => GrowthTailGen();

    [GeneratedRegex(Anchor + P.Anthropic + ")", Options, TimeoutMilliseconds)] private static partial Regex AnthropicGen();
    [GeneratedRegex(Anchor + P.OpenAI + ")", Options, TimeoutMilliseconds)] private static partial Regex OpenAIGen();
    [GeneratedRegex(Anchor + P.AwsKeyId + ")", Options, TimeoutMilliseconds)] private static partial Regex AwsKeyIdGen();
    [GeneratedRegex(Anchor + P.AwsSecret + ")", Options, TimeoutMilliseconds)] private static partial Regex AwsSecretGen();
    [GeneratedRegex(Anchor + P.GitHub + ")", Options, TimeoutMilliseconds)] private static partial Regex GitHubGen();
    [GeneratedRegex(Anchor + P.GitLab + ")", Options, TimeoutMilliseconds)] private static partial Regex GitLabGen();
    [GeneratedRegex(Anchor + P.Slack + ")", Options, TimeoutMilliseconds)] private static partial Regex SlackGen();
    [GeneratedRegex(Anchor + P.Stripe + ")", Options, TimeoutMilliseconds)] private static partial Regex StripeGen();
    [GeneratedRegex(Anchor + P.Google + ")", Options, TimeoutMilliseconds)] private static partial Regex GoogleGen();
    [GeneratedRegex(Anchor + P.AzureKey + ")", Options, TimeoutMilliseconds)] private static partial Regex AzureKeyGen();
    [GeneratedRegex(Anchor + P.Jwt + ")", Options, TimeoutMilliseconds)] private static partial Regex JwtGen();
    [GeneratedRegex(Anchor + P.PemBlock + ")", Options, TimeoutMilliseconds)] private static partial Regex PemBlockGen();
    [GeneratedRegex(Anchor + P.PuttyBlock + ")", Options, TimeoutMilliseconds)] private static partial Regex PuttyBlockGen();
    [GeneratedRegex(Anchor + P.UrlCredential + ")", Options, TimeoutMilliseconds)] private static partial Regex UrlCredentialGen();
    [GeneratedRegex(Anchor + P.AuthorizationHeader + ")", Options, TimeoutMilliseconds)] private static partial Regex AuthorizationHeaderGen();
    [GeneratedRegex(Anchor + P.GenericSecret + ")", Options, TimeoutMilliseconds)] private static partial Regex GenericSecretGen();
    [GeneratedRegex(Anchor + P.Card + ")", Options, TimeoutMilliseconds)] private static partial Regex CardGen();
    [GeneratedRegex(Anchor + P.Ssn + ")", Options, TimeoutMilliseconds)] private static partial Regex SsnGen();
    [GeneratedRegex(Anchor + P.Iban + ")", Options, TimeoutMilliseconds)] private static partial Regex IbanGen();
    [GeneratedRegex(Anchor + P.Email + ")", Options, TimeoutMilliseconds)] private static partial Regex EmailGen();
    [GeneratedRegex(Anchor + P.Phone + ")", Options, TimeoutMilliseconds)] private static partial Regex PhoneGen();
    [GeneratedRegex(Anchor + P.IPv4 + ")", Options, TimeoutMilliseconds)] private static partial Regex IPv4Gen();
    [GeneratedRegex(Anchor + P.IPv6 + ")", Options, TimeoutMilliseconds)] private static partial Regex IPv6Gen();
    [GeneratedRegex(Anchor + P.Base58Wallet + ")", Options, TimeoutMilliseconds)] private static partial Regex Base58WalletGen();
    [GeneratedRegex(Anchor + P.Bech32Wallet + ")", Options, TimeoutMilliseconds)] private static partial Regex Bech32WalletGen();
    [GeneratedRegex(Anchor + P.EthWallet + ")", Options, TimeoutMilliseconds)] private static partial Regex EthWalletGen();
    [GeneratedRegex(P.GrowthTail, Options, TimeoutMilliseconds)] private static partial Regex GrowthTailGen();
#else
    private static Regex Make(string pattern) =>
        new(pattern, Options | RegexOptions.Compiled, TimeSpan.FromMilliseconds(TimeoutMilliseconds));

    private static readonly Lazy<Regex> AnthropicLazy = new(() => Make(Anchor + P.Anthropic + ")"));
    private static readonly Lazy<Regex> OpenAILazy = new(() => Make(Anchor + P.OpenAI + ")"));
    private static readonly Lazy<Regex> AwsKeyIdLazy = new(() => Make(Anchor + P.AwsKeyId + ")"));
    private static readonly Lazy<Regex> AwsSecretLazy = new(() => Make(Anchor + P.AwsSecret + ")"));
    private static readonly Lazy<Regex> GitHubLazy = new(() => Make(Anchor + P.GitHub + ")"));
    private static readonly Lazy<Regex> GitLabLazy = new(() => Make(Anchor + P.GitLab + ")"));
    private static readonly Lazy<Regex> SlackLazy = new(() => Make(Anchor + P.Slack + ")"));
    private static readonly Lazy<Regex> StripeLazy = new(() => Make(Anchor + P.Stripe + ")"));
    private static readonly Lazy<Regex> GoogleLazy = new(() => Make(Anchor + P.Google + ")"));
    private static readonly Lazy<Regex> AzureKeyLazy = new(() => Make(Anchor + P.AzureKey + ")"));
    private static readonly Lazy<Regex> JwtLazy = new(() => Make(Anchor + P.Jwt + ")"));
    private static readonly Lazy<Regex> PemBlockLazy = new(() => Make(Anchor + P.PemBlock + ")"));
    private static readonly Lazy<Regex> PuttyBlockLazy = new(() => Make(Anchor + P.PuttyBlock + ")"));
    private static readonly Lazy<Regex> UrlCredentialLazy = new(() => Make(Anchor + P.UrlCredential + ")"));
    private static readonly Lazy<Regex> AuthorizationHeaderLazy = new(() => Make(Anchor + P.AuthorizationHeader + ")"));
    private static readonly Lazy<Regex> GenericSecretLazy = new(() => Make(Anchor + P.GenericSecret + ")"));
    private static readonly Lazy<Regex> CardLazy = new(() => Make(Anchor + P.Card + ")"));
    private static readonly Lazy<Regex> SsnLazy = new(() => Make(Anchor + P.Ssn + ")"));
    private static readonly Lazy<Regex> IbanLazy = new(() => Make(Anchor + P.Iban + ")"));
    private static readonly Lazy<Regex> EmailLazy = new(() => Make(Anchor + P.Email + ")"));
    private static readonly Lazy<Regex> PhoneLazy = new(() => Make(Anchor + P.Phone + ")"));
    private static readonly Lazy<Regex> IPv4Lazy = new(() => Make(Anchor + P.IPv4 + ")"));
    private static readonly Lazy<Regex> IPv6Lazy = new(() => Make(Anchor + P.IPv6 + ")"));
    private static readonly Lazy<Regex> Base58WalletLazy = new(() => Make(Anchor + P.Base58Wallet + ")"));
    private static readonly Lazy<Regex> Bech32WalletLazy = new(() => Make(Anchor + P.Bech32Wallet + ")"));
    private static readonly Lazy<Regex> EthWalletLazy = new(() => Make(Anchor + P.EthWallet + ")"));
    private static readonly Lazy<Regex> GrowthTailLazy = new(() => Make(P.GrowthTail));

    public static Regex Anthropic => AnthropicLazy.Value;
    public static Regex OpenAI => OpenAILazy.Value;
    public static Regex AwsKeyId => AwsKeyIdLazy.Value;
    public static Regex AwsSecret => AwsSecretLazy.Value;
    public static Regex GitHub => GitHubLazy.Value;
    public static Regex GitLab => GitLabLazy.Value;
    public static Regex Slack => SlackLazy.Value;
    public static Regex Stripe => StripeLazy.Value;
    public static Regex Google => GoogleLazy.Value;
    public static Regex AzureKey => AzureKeyLazy.Value;
    public static Regex Jwt => JwtLazy.Value;
    public static Regex PemBlock => PemBlockLazy.Value;
    public static Regex PuttyBlock => PuttyBlockLazy.Value;
    public static Regex UrlCredential => UrlCredentialLazy.Value;
    public static Regex AuthorizationHeader => AuthorizationHeaderLazy.Value;
    public static Regex GenericSecret => GenericSecretLazy.Value;
    public static Regex Card => CardLazy.Value;
    public static Regex Ssn => SsnLazy.Value;
    public static Regex Iban => IbanLazy.Value;
    public static Regex Email => EmailLazy.Value;
    public static Regex Phone => PhoneLazy.Value;
    public static Regex IPv4 => IPv4Lazy.Value;
    public static Regex IPv6 => IPv6Lazy.Value;
    public static Regex Base58Wallet => Base58WalletLazy.Value;
    public static Regex Bech32Wallet => Bech32WalletLazy.Value;
    public static Regex EthWallet => EthWalletLazy.Value;
    public static Regex GrowthTail => GrowthTailLazy.Value;
#endif
}
