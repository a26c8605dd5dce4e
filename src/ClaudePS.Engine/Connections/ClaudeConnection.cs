using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Usage;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Connections;

/// <summary>
/// One configured connection: endpoints, credential and one reused <see cref="HttpClient"/>. Immutable
/// once created, so it can be shared by every runspace and thread. Secrets stay inside the credential
/// provider; nothing here prints them.
/// </summary>
public sealed class ClaudeConnection : IDisposable
{
    private readonly HttpClient _http;

    private ClaudeConnection(ClaudeConnectionOptions options, IReadOnlyList<Uri> endpoints, ICredentialProvider credential, HttpClient http, IWebProxy? proxy)
    {
        Options = options;
        Endpoints = endpoints;
        Credential = credential;
        _http = http;
        Proxy = proxy;
        Info = new ClaudeConnectionInfo
        {
            Name = options.Name,
            Endpoints = endpoints.Select(e => e.ToString().TrimEnd('/')).ToArray(),
            AuthKind = credential.AuthKind,
            CredentialSource = credential.Source,
            DefaultModel = options.DefaultModel,
            AnthropicVersion = options.AnthropicVersion,
            Betas = options.Betas.ToArray(),
            DefaultEffort = options.DefaultEffort,
            Proxy = HttpHandlerFactory.Shown(proxy),
            Timeout = options.Timeout,
            Tags = options.Tags.ToArray(),
            ConnectedAt = DateTimeOffset.UtcNow,
        };
        Budget = options.MaxCostUsd is { } limit ? new BudgetGuard(limit, $"connection '{options.Name}'", () => Services.Prices) : null;
        UsageRecorder = options.UsageRecorder ?? options.Recording switch
        {
            UsageRecording.Priced => new LedgerUsageRecorder(null, Services),
            UsageRecording.Ledger => new LedgerUsageRecorder(new UsageLedger(UsagePaths.Default), Services),
            _ => null,
        };
        Client = new ClaudeClient(this);
        ServerClock = credential.ServerClock ?? new ServerClock();
    }

    public ClaudeConnectionOptions Options { get; }
    /// <summary>The metrics, prices and token cache the connection uses (from its options).</summary>
    public ClaudeServices Services => Options.Services;
    /// <summary>The model of requests that name none: Connect-Claude -DefaultModel, else the current default.</summary>
    public string DefaultModel => Options.DefaultModel ?? KnownModels.DefaultModel;

    /// <summary>The model a prompt goes to: the one asked for, then the conversation's, then <see cref="DefaultModel"/>.</summary>
    public string ModelFor(string? requested, ClaudeConversation? conversation = null) =>
        !string.IsNullOrWhiteSpace(requested) ? requested!
        : !string.IsNullOrWhiteSpace(conversation?.Model) ? conversation!.Model!
        : DefaultModel;

    /// <summary>Proves that the endpoint takes the credential (Connect-Claude -Validate) with one
    /// count_tokens call, which is free: on the default model when one is set, else a small current one.</summary>
    public Task CheckEndpointAsync(CancellationToken cancellationToken) =>
        Client.CountTokensAsync(MessageRequest.ForPrompt("ping", Options.DefaultModel ?? KnownModels.ValidationModel), cancellationToken);

    /// <summary>The connection's cost limit (Connect-Claude -MaxCostUsd); null for none.</summary>
    public BudgetGuard? Budget { get; }
    /// <summary>Receives every usage-bearing reply; null records nothing.</summary>
    public IUsageRecorder? UsageRecorder { get; }
    public IReadOnlyList<Uri> Endpoints { get; }
    public ICredentialProvider Credential { get; }
    public ClaudeConnectionInfo Info { get; }
    public ClaudeClient Client { get; }
    /// <summary>The server's clock as seen through Date headers (the transport feeds it; signers read it).</summary>
    public ServerClock ServerClock { get; }
    internal HttpClient Http => _http;
    /// <summary>The proxy this connection's calls go through (null: none); side calls reuse it.</summary>
    internal IWebProxy? Proxy { get; }
    /// <summary>Retries, rate limiting, failover and cache for every call of this connection.</summary>
    internal ClaudeTransport Transport { get; private set; } = null!;

    /// <summary>Validates the options and builds the connection. The environment supplies defaults
    /// (credential, ANTHROPIC_BASE_URL, proxies) only where the options leave a gap.</summary>
    public static ClaudeConnection Create(ClaudeConnectionOptions options, IDictionary? environment = null, HttpMessageHandler? handler = null)
    {
        environment ??= CredentialResolver.ProcessEnvironment();
        var endpoints = ResolveEndpoints(options, environment);
        var credential = options.Credential ?? CredentialResolver.FromEnvironment(environment);
        if (options.Timeout <= TimeSpan.Zero)
            throw MessageRequestInvalid("TimeoutSec", $"The timeout must be positive; it was {options.Timeout.TotalSeconds} s.");
        if (options.Proxy is { UserInfo.Length: > 0 })
            throw MessageRequestInvalid("Proxy", "The proxy address must not carry a user name or password (they would be shown and sent as written); pass them with -ProxyCredential.");
        if (!ApiVersion.IsWellFormed(options.AnthropicVersion))
            throw MessageRequestInvalid("AnthropicVersion", $"An API version is a date such as {ApiVersion.Current} or {ApiVersion.Legacy}; it was '{options.AnthropicVersion}'.");
        // A handler given by the caller (tests) carries its own proxy; the one proxy decision still applies
        // to side calls such as the Admin API.
        var proxy = HttpHandlerFactory.ProxyFor(options, environment);
        handler ??= HttpHandlerFactory.Create(proxy, options.MaxConnectionsPerServer);
        var resilience = options.Resilience.Resolve(environment);
        var http = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var connection = new ClaudeConnection(options, endpoints, credential, http, proxy);
        connection.Transport = new ClaudeTransport(connection, resilience);
        return connection;
    }

    internal static IReadOnlyList<Uri> ResolveEndpoints(ClaudeConnectionOptions options, IDictionary environment)
    {
        var uris = options.BaseUris.Count > 0
            ? options.BaseUris
            : new List<Uri> { ParseBaseUri(CredentialResolver.Get(environment, CredentialResolver.BaseUrlVariable) ?? ClaudeConnectionOptions.DefaultBaseUri) };
        foreach (var uri in uris) CheckBaseUri(uri, options.AllowUnencryptedConnection);
        return uris.Select(u => new Uri(u.ToString().TrimEnd('/') + "/")).ToArray();
    }

    /// <summary>Parses a base URI given as text, with an error that names the value.</summary>
    public static Uri ParseBaseUri(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http"))
            throw MessageRequestInvalid("BaseUri", $"{ShownForError(text)} is not an http(s) URI. Give one such as https://api.anthropic.com.");
        return uri;
    }

    /// <summary>https always; plain http only to loopback or when explicitly allowed.</summary>
    public static void CheckBaseUri(Uri uri, bool allowUnencrypted)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != "https" && uri.Scheme != "http"))
            throw MessageRequestInvalid("BaseUri", $"{ShownForError(uri.OriginalString)} is not an http(s) URI. Give one such as https://api.anthropic.com.");
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw MessageRequestInvalid("BaseUri", "The base URI must not carry a user name or password; pass credentials with -ApiKey or -Credential.");
        if (uri.Scheme == "http" && !uri.IsLoopback && !allowUnencrypted)
            throw MessageRequestInvalid("BaseUri", $"'{uri.GetLeftPart(UriPartial.Authority)}' is plain http and not loopback: the key would cross the network unencrypted. Use https, or pass -AllowUnencryptedConnection if you accept that.");
    }

    /// <summary>A mistyped -BaseUri is echoed without user info, and not at all when it is no URI: a key
    /// pasted into the wrong parameter must not end up in an error record or a job log.</summary>
    private static string ShownForError(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.IsFile || uri.HostNameType == UriHostNameType.Unknown)
            return $"The value given ({text.Length} characters)";
        var shown = new UriBuilder(uri) { UserName = "", Password = "", Query = "", Fragment = "" };
        return $"'{shown.Uri.GetLeftPart(UriPartial.Path)}'";
    }

    private static ClaudeException MessageRequestInvalid(string field, string message) => Wire.MessageRequest.Invalid(field, message);

    public void Dispose() => _http.Dispose();
    public override string ToString() => Info.ToString();
}
