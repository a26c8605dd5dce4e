using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace ClaudePS.Emulator.Auth;

/// <summary>
/// The emulator's identity endpoints and the bearer check in front of the API:
/// <list type="bullet">
/// <item><c>POST /oauth2/token</c> (form): client credentials with a secret or a client assertion, and the JWT bearer grant (Google service accounts).</item>
/// <item><c>POST /v1/oauth/token</c> (JSON): Anthropic's workload identity federation exchange.</item>
/// <item><c>GET /metadata/identity/oauth2/token</c>: Azure managed identity (IMDS and App Service shapes).</item>
/// <item><c>POST /v1/projects/{p}/locations/{r}/publishers/anthropic/models/{m}:rawPredict|:streamRawPredict</c>: Vertex AI, handed to the Messages handler.</item>
/// </list>
/// Bearer tokens it issued are checked through <see cref="EmulatorState.BearerValidator"/>.
/// Token replies carry a Date header from the emulator's (offset) clock, so clients can detect skew.
/// </summary>
public static class AuthRoutes
{
    public const string TokenPath = "/oauth2/token";
    public const string AnthropicTokenPath = "/v1/oauth/token";
    public const string ManagedIdentityPath = "/metadata/identity/oauth2/token";
    public const string VertexPrefix = "/v1/projects/";

    public static void Map(WebApplication app, EmulatorState state)
    {
        var auth = state.Auth;
        state.BearerValidator ??= token => CheckBearer(token, auth, state.Options);
        long limit = state.Options.MaxRequestBodyBytes;
        app.MapPost(TokenPath, (Func<HttpContext, Task<IResult>>)(context => WithApiErrors(context, () => OAuthTokenAsync(context, auth, limit))));
        app.MapPost(AnthropicTokenPath, (Func<HttpContext, Task<IResult>>)(context => WithApiErrors(context, () => FederationTokenAsync(context, auth, limit))));
        app.MapGet(ManagedIdentityPath, (HttpContext context) => ManagedIdentity(context, auth));
        app.MapPost(VertexPrefix + "{project}/locations/{region}/publishers/anthropic/models/{modelAction}",
            (HttpContext context, string project, string region, string modelAction) => VertexAsync(context, modelAction, app.Services));
    }

    /// <summary>The emulator's bearer hook: tokens this issuer minted are accepted while valid and get 401
    /// once expired or revoked; any other bearer token falls back to the API-key rule.</summary>
    private static BearerCheck CheckBearer(string token, AuthEmulatorState auth, EmulatorOptions options)
    {
        switch (auth.Check(token))
        {
            case IssuedTokenStatus.Valid:
                return BearerCheck.Accept("oauth_" + ApiKeyAuthenticator.KeyIdFor(auth.SubjectOf(token) ?? "")["apikey_".Length..]);
            case IssuedTokenStatus.Expired:
                auth.CountRejected();
                return BearerCheck.Reject("OAuth token has expired. Request a new one from the token endpoint.");
            case IssuedTokenStatus.Revoked:
                auth.CountRejected();
                return BearerCheck.Reject("OAuth token has been revoked.");
            case IssuedTokenStatus.Unknown:
                auth.CountRejected();
                return BearerCheck.Reject("Invalid bearer token.");
            default:
                return ApiKeyAuthenticator.IsAcceptedKey(options, token)
                    ? BearerCheck.Accept(ApiKeyAuthenticator.KeyIdFor(token))
                    : BearerCheck.Reject("Invalid bearer token.");
        }
    }

    /// <summary>A body over the size limit (or a body the server cannot read) gets the same 413/400 error
    /// body as /v1/messages, never an empty 500; token errors keep the OAuth shape.</summary>
    private static async Task<IResult> WithApiErrors(HttpContext context, Func<Task<IResult>> handler)
    {
        try
        {
            return await handler().ConfigureAwait(false);
        }
        catch (EmulatorApiException error)
        {
            if (!context.Response.HasStarted) await ApiErrorResponses.WriteAsync(context, error).ConfigureAwait(false);
            return Results.Empty;
        }
        catch (BadHttpRequestException error)
        {
            if (!context.Response.HasStarted)
                await ApiErrorResponses.WriteAsync(context, new EmulatorApiException(400, ErrorTypes.InvalidRequest, error.Message)).ConfigureAwait(false);
            return Results.Empty;
        }
    }

    private static async Task<IResult> OAuthTokenAsync(HttpContext context, AuthEmulatorState auth, long limit)
    {
        auth.CountRequest();
        SetDate(context, auth);
        if (!context.Request.HasFormContentType) return Error(400, "invalid_request", "The body must be application/x-www-form-urlencoded.");
        // Read under the API's body limit, then parse: the framework's form reader has its own limits
        // and answers an empty 500 past them.
        var body = await RequestBody.ReadAsync(context, limit).ConfigureAwait(false);
        var form = new FormCollection(QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body)));
        string grant = form["grant_type"].ToString();
        string endpoint = $"{context.Request.Scheme}://{context.Request.Host}{TokenPath}";
        if (grant == "client_credentials") return ClientCredentials(form, endpoint, auth);
        if (grant == "urn:ietf:params:oauth:grant-type:jwt-bearer") return ServiceAccountGrant(form["assertion"].ToString(), endpoint, auth);
        return Error(400, "unsupported_grant_type", $"grant_type '{grant}' is not supported here.");
    }

    private static IResult ClientCredentials(IFormCollection form, string endpoint, AuthEmulatorState auth)
    {
        var clientId = form["client_id"].ToString();
        if (form.ContainsKey("client_secret"))
        {
            var expected = auth.SecretOf(clientId);
            if (expected is null || !FixedEquals(expected, form["client_secret"].ToString())) return Error(401, "invalid_client", "Client authentication failed.");
            return Issue(auth, clientId, form["scope"].ToString());
        }
        if (form["client_assertion_type"].ToString() != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            return Error(401, "invalid_client", "No client_secret and no client_assertion of type jwt-bearer.");
        var jwt = JwtVerifier.Parse(form["client_assertion"].ToString());
        if (jwt is null) return Error(401, "invalid_client", "The client assertion is not a JWT.");
        object? key = jwt.Algorithm == "HS256"
            ? auth.SecretOf(clientId) is { } secret ? Encoding.UTF8.GetBytes(secret) : null
            : auth.KeyOf(clientId);
        if (key is null || !JwtVerifier.Verify(jwt, key)) return Error(401, "invalid_client", "The client assertion's signature is not valid for this client.");
        if (JwtVerifier.Str(jwt.Payload, "iss") != clientId || JwtVerifier.Str(jwt.Payload, "sub") != clientId)
            return Error(401, "invalid_client", "The client assertion's iss and sub must be the client id.");
        if (CheckAssertion(jwt, endpoint, auth) is { } problem) return problem;
        return Issue(auth, clientId, form["scope"].ToString());
    }

    private static IResult ServiceAccountGrant(string assertion, string endpoint, AuthEmulatorState auth)
    {
        var jwt = JwtVerifier.Parse(assertion);
        if (jwt is null) return Error(400, "invalid_grant", "The assertion is not a JWT.");
        var email = JwtVerifier.Str(jwt.Payload, "iss") ?? "";
        if (auth.ServiceAccountKey(email) is not { } key || !JwtVerifier.Verify(jwt, key)) return Error(400, "invalid_grant", "Invalid JWT Signature.");
        if (string.IsNullOrEmpty(JwtVerifier.Str(jwt.Payload, "scope"))) return Error(400, "invalid_scope", "The assertion has no scope.");
        if (CheckAssertion(jwt, endpoint, auth) is { } problem) return problem;
        return Issue(auth, email, JwtVerifier.Str(jwt.Payload, "scope"));
    }

    /// <summary>Audience, expiry, issued-at skew and replay, as real issuers check them.</summary>
    private static IResult? CheckAssertion(JwtVerifier.Parsed jwt, string endpoint, AuthEmulatorState auth)
    {
        var now = auth.Now;
        if (!JwtVerifier.HasAudience(jwt.Payload, endpoint)) return Error(400, "invalid_grant", $"The assertion's audience must be {endpoint}.");
        if (JwtVerifier.Time(jwt.Payload, "exp") is not { } exp || exp <= now) return Error(400, "invalid_grant", "The assertion has expired (check the clock).");
        if (JwtVerifier.Time(jwt.Payload, "iat") is not { } iat || iat > now + auth.AllowedSkew)
            return Error(400, "invalid_grant", "The assertion's iat is in the future (check the clock).");
        if (JwtVerifier.Time(jwt.Payload, "nbf") is { } nbf && nbf > now + auth.AllowedSkew) return Error(400, "invalid_grant", "The assertion is not valid yet (nbf).");
        if (exp - iat > TimeSpan.FromHours(1) + auth.AllowedSkew) return Error(400, "invalid_grant", "The assertion lives longer than an hour.");
        if (JwtVerifier.Str(jwt.Payload, "jti") is { } jti && !auth.UseAssertionId(jti)) return Error(400, "invalid_grant", "The assertion was already used (jti replay).");
        return null;
    }

    private static async Task<IResult> FederationTokenAsync(HttpContext context, AuthEmulatorState auth, long limit)
    {
        auth.CountRequest();
        SetDate(context, auth);
        if (!context.Request.Headers["anthropic-beta"].ToString().Contains("oidc-federation-2026-04-01", StringComparison.Ordinal))
            return Error(400, "invalid_request", "The exchange needs anthropic-beta: oidc-federation-2026-04-01.");
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(await RequestBody.ReadAsync(context, limit).ConfigureAwait(false));
        }
        catch (JsonException)
        {
            return Error(400, "invalid_request", "The body is not JSON.");
        }
        string? Field(string name) => body?[name]?.GetValueKind() == JsonValueKind.String ? body[name]!.GetValue<string>() : null;
        if (Field("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer") return Error(400, "unsupported_grant_type", "grant_type must be jwt-bearer.");
        var rule = auth.FederationOf(Field("federation_rule_id") ?? "");
        if (rule is null || rule.OrganizationId != Field("organization_id")) return Error(400, "invalid_grant", "No such federation rule in this organization.");
        var jwt = JwtVerifier.Parse(Field("assertion") ?? "");
        if (jwt is null || !JwtVerifier.Verify(jwt, rule.IssuerKey) || JwtVerifier.Str(jwt.Payload, "iss") != rule.Issuer)
            return Error(400, "invalid_grant", "The identity token is not signed by the rule's issuer.");
        if (JwtVerifier.Time(jwt.Payload, "exp") is not { } exp || exp <= auth.Now) return Error(400, "invalid_grant", "The identity token has expired.");
        return Issue(auth, JwtVerifier.Str(jwt.Payload, "sub") ?? "workload", "user:inference", AuthEmulatorState.AnthropicTokenPrefix);
    }

    private static IResult ManagedIdentity(HttpContext context, AuthEmulatorState auth)
    {
        auth.CountRequest();
        SetDate(context, auth);
        var q = context.Request.Query;
        bool appService = auth.IdentityHeaderSecret is { } secret && context.Request.Headers["X-IDENTITY-HEADER"].ToString() == secret;
        if (!appService && context.Request.Headers["Metadata"].ToString() != "true")
            return Error(400, "invalid_request", "Required metadata header not specified");
        if (string.IsNullOrEmpty(q["api-version"])) return Error(400, "invalid_request", "Required query variable 'api-version' is missing");
        var resource = q["resource"].ToString();
        if (string.IsNullOrEmpty(resource)) return Error(400, "invalid_request", "Required query variable 'resource' is missing");
        var clientId = q["client_id"].ToString();
        if (clientId.Length > 0 && !auth.ManagedIdentityClientIds.ContainsKey(clientId)) return Error(400, "invalid_request", "Identity not found");
        var (token, lifetime) = auth.Issue(clientId.Length > 0 ? clientId : "system-assigned");
        var now = auth.Now;
        // The metadata service sends every number as a string.
        return Results.Json(new Dictionary<string, string>
        {
            ["access_token"] = token,
            ["client_id"] = clientId.Length > 0 ? clientId : "00000000-0000-0000-0000-000000000001",
            ["expires_in"] = lifetime.ToString(CultureInfo.InvariantCulture),
            ["expires_on"] = now.AddSeconds(lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["ext_expires_in"] = lifetime.ToString(CultureInfo.InvariantCulture),
            ["not_before"] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
        });
    }

    /// <summary>Vertex AI's rawPredict / streamRawPredict: checks the Vertex body (anthropic_version, no
    /// model), puts the model from the URL into it and runs the emulator's own Messages handler.</summary>
    private static async Task VertexAsync(HttpContext context, string modelAction, IServiceProvider services)
    {
        int colon = modelAction.LastIndexOf(':');
        string model = colon > 0 ? modelAction[..colon] : modelAction;
        string action = colon > 0 ? modelAction[(colon + 1)..] : "";
        if (action is not ("rawPredict" or "streamRawPredict"))
        {
            await VertexError(context, 404, "not_found_error", $"Unknown method '{action}'; use :rawPredict or :streamRawPredict.").ConfigureAwait(false);
            return;
        }
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }
        if (body is null)
        {
            await VertexError(context, 400, "invalid_request_error", "The body is not a JSON object.").ConfigureAwait(false);
            return;
        }
        if (body["anthropic_version"]?.ToString() != "vertex-2023-10-16")
        {
            await VertexError(context, 400, "invalid_request_error", "anthropic_version: must be \"vertex-2023-10-16\" on Vertex AI.").ConfigureAwait(false);
            return;
        }
        if (body.ContainsKey("model"))
        {
            await VertexError(context, 400, "invalid_request_error", "model: Extra inputs are not permitted (the model is in the URL on Vertex AI).").ConfigureAwait(false);
            return;
        }
        var messages = FindMessagesEndpoint(services);
        if (messages is null)
        {
            await VertexError(context, 501, "api_error", "This emulator build has no Messages handler to serve Vertex requests.").ConfigureAwait(false);
            return;
        }
        body.Remove("anthropic_version");
        body["model"] = model;
        if (action == "streamRawPredict") body["stream"] = true;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Request.Path = "/v1/messages";
        if (string.IsNullOrEmpty(context.Request.Headers["anthropic-version"])) context.Request.Headers["anthropic-version"] = "2023-06-01";
        context.Request.RouteValues.Clear();
        context.SetEndpoint(messages);
        await messages.RequestDelegate!(context).ConfigureAwait(false);
    }

    private static RouteEndpoint? FindMessagesEndpoint(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().FirstOrDefault(e =>
            string.Equals(e.RoutePattern.RawText?.TrimStart('/'), "v1/messages", StringComparison.OrdinalIgnoreCase)
            && e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("POST") != false
            && e.RequestDelegate is not null);

    private static Task VertexError(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { type = "error", error = new { type, message } });
    }

    private static IResult Issue(AuthEmulatorState auth, string subject, string? scope, string prefix = AuthEmulatorState.TokenPrefix)
    {
        var (token, lifetime) = auth.Issue(subject, prefix);
        var reply = new Dictionary<string, object> { ["access_token"] = token, ["token_type"] = "Bearer", ["expires_in"] = lifetime };
        if (!string.IsNullOrEmpty(scope)) reply["scope"] = scope;
        return Results.Json(reply);
    }

    private static IResult Error(int status, string error, string description) =>
        Results.Json(new { error, error_description = description }, statusCode: status);

    private static void SetDate(HttpContext context, AuthEmulatorState auth) =>
        context.Response.OnStarting(() =>
        {
            context.Response.Headers.Date = auth.Now.ToString("R", CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });

    private static bool FixedEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
