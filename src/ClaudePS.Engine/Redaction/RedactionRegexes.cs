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

    [GeneratedRegex(P.Anthropic, Options, TimeoutMilliseconds)] private static partial Regex AnthropicGen();
    [GeneratedRegex(P.OpenAI, Options, TimeoutMilliseconds)] private static partial Regex OpenAIGen();
    [GeneratedRegex(P.AwsKeyId, Options, TimeoutMilliseconds)] private static partial Regex AwsKeyIdGen();
    [GeneratedRegex(P.AwsSecret, Options, TimeoutMilliseconds)] private static partial Regex AwsSecretGen();
    [GeneratedRegex(P.GitHub, Options, TimeoutMilliseconds)] private static partial Regex GitHubGen();
    [GeneratedRegex(P.GitLab, Options, TimeoutMilliseconds)] private static partial Regex GitLabGen();
    [GeneratedRegex(P.Slack, Options, TimeoutMilliseconds)] private static partial Regex SlackGen();
    [GeneratedRegex(P.Stripe, Options, TimeoutMilliseconds)] private static partial Regex StripeGen();
    [GeneratedRegex(P.Google, Options, TimeoutMilliseconds)] private static partial Regex GoogleGen();
    [GeneratedRegex(P.AzureKey, Options, TimeoutMilliseconds)] private static partial Regex AzureKeyGen();
    [GeneratedRegex(P.Jwt, Options, TimeoutMilliseconds)] private static partial Regex JwtGen();
    [GeneratedRegex(P.PemBlock, Options, TimeoutMilliseconds)] private static partial Regex PemBlockGen();
    [GeneratedRegex(P.PuttyBlock, Options, TimeoutMilliseconds)] private static partial Regex PuttyBlockGen();
    [GeneratedRegex(P.UrlCredential, Options, TimeoutMilliseconds)] private static partial Regex UrlCredentialGen();
    [GeneratedRegex(P.AuthorizationHeader, Options, TimeoutMilliseconds)] private static partial Regex AuthorizationHeaderGen();
    [GeneratedRegex(P.GenericSecret, Options, TimeoutMilliseconds)] private static partial Regex GenericSecretGen();
    [GeneratedRegex(P.Card, Options, TimeoutMilliseconds)] private static partial Regex CardGen();
    [GeneratedRegex(P.Ssn, Options, TimeoutMilliseconds)] private static partial Regex SsnGen();
    [GeneratedRegex(P.Iban, Options, TimeoutMilliseconds)] private static partial Regex IbanGen();
    [GeneratedRegex(P.Email, Options, TimeoutMilliseconds)] private static partial Regex EmailGen();
    [GeneratedRegex(P.Phone, Options, TimeoutMilliseconds)] private static partial Regex PhoneGen();
    [GeneratedRegex(P.IPv4, Options, TimeoutMilliseconds)] private static partial Regex IPv4Gen();
    [GeneratedRegex(P.IPv6, Options, TimeoutMilliseconds)] private static partial Regex IPv6Gen();
    [GeneratedRegex(P.Base58Wallet, Options, TimeoutMilliseconds)] private static partial Regex Base58WalletGen();
    [GeneratedRegex(P.Bech32Wallet, Options, TimeoutMilliseconds)] private static partial Regex Bech32WalletGen();
    [GeneratedRegex(P.EthWallet, Options, TimeoutMilliseconds)] private static partial Regex EthWalletGen();
    [GeneratedRegex(P.GrowthTail, Options, TimeoutMilliseconds)] private static partial Regex GrowthTailGen();
#else
    private static Regex Make(string pattern) =>
        new(pattern, Options | RegexOptions.Compiled, TimeSpan.FromMilliseconds(TimeoutMilliseconds));

    private static readonly Lazy<Regex> AnthropicLazy = new(() => Make(P.Anthropic));
    private static readonly Lazy<Regex> OpenAILazy = new(() => Make(P.OpenAI));
    private static readonly Lazy<Regex> AwsKeyIdLazy = new(() => Make(P.AwsKeyId));
    private static readonly Lazy<Regex> AwsSecretLazy = new(() => Make(P.AwsSecret));
    private static readonly Lazy<Regex> GitHubLazy = new(() => Make(P.GitHub));
    private static readonly Lazy<Regex> GitLabLazy = new(() => Make(P.GitLab));
    private static readonly Lazy<Regex> SlackLazy = new(() => Make(P.Slack));
    private static readonly Lazy<Regex> StripeLazy = new(() => Make(P.Stripe));
    private static readonly Lazy<Regex> GoogleLazy = new(() => Make(P.Google));
    private static readonly Lazy<Regex> AzureKeyLazy = new(() => Make(P.AzureKey));
    private static readonly Lazy<Regex> JwtLazy = new(() => Make(P.Jwt));
    private static readonly Lazy<Regex> PemBlockLazy = new(() => Make(P.PemBlock));
    private static readonly Lazy<Regex> PuttyBlockLazy = new(() => Make(P.PuttyBlock));
    private static readonly Lazy<Regex> UrlCredentialLazy = new(() => Make(P.UrlCredential));
    private static readonly Lazy<Regex> AuthorizationHeaderLazy = new(() => Make(P.AuthorizationHeader));
    private static readonly Lazy<Regex> GenericSecretLazy = new(() => Make(P.GenericSecret));
    private static readonly Lazy<Regex> CardLazy = new(() => Make(P.Card));
    private static readonly Lazy<Regex> SsnLazy = new(() => Make(P.Ssn));
    private static readonly Lazy<Regex> IbanLazy = new(() => Make(P.Iban));
    private static readonly Lazy<Regex> EmailLazy = new(() => Make(P.Email));
    private static readonly Lazy<Regex> PhoneLazy = new(() => Make(P.Phone));
    private static readonly Lazy<Regex> IPv4Lazy = new(() => Make(P.IPv4));
    private static readonly Lazy<Regex> IPv6Lazy = new(() => Make(P.IPv6));
    private static readonly Lazy<Regex> Base58WalletLazy = new(() => Make(P.Base58Wallet));
    private static readonly Lazy<Regex> Bech32WalletLazy = new(() => Make(P.Bech32Wallet));
    private static readonly Lazy<Regex> EthWalletLazy = new(() => Make(P.EthWallet));
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
