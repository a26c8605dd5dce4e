namespace ClaudePS.Emulator;

/// <summary>
/// Shared state of a running emulator: its options (change them while it runs), its own accounting,
/// the prompt cache, rate limiter, fault injector, the reusable simulator, and the bearer-token hook.
/// </summary>
public sealed class EmulatorState
{
    public EmulatorState(EmulatorOptions options)
    {
        Options = options;
        Accounting = new EmulatorAccounting();
        Cache = new PromptCache(options);
        RateLimiter = new RateLimiter(options);
        Faults = new FaultInjector(options);
        Simulator = new MessageSimulator(this);
    }

    public EmulatorOptions Options { get; }
    /// <summary>The clock every time-dependent part uses (from <see cref="EmulatorOptions.Clock"/>).</summary>
    public TimeProvider Clock => Options.Clock;
    /// <summary>Every request answered, and counters.</summary>
    public EmulatorAccounting Accounting { get; }
    public PromptCache Cache { get; }
    public RateLimiter RateLimiter { get; }
    public FaultInjector Faults { get; }
    /// <summary>"Messages request body -> reply + usage" without HTTP (batch processing uses it).</summary>
    public MessageSimulator Simulator { get; }

    /// <summary>
    /// Checks Authorization: Bearer tokens. Null (the default) applies the API-key rule to the token.
    /// Plug in an OAuth token issuer's check here: return BearerCheck.Reject("...expired...") for a 401.
    /// </summary>
    public Func<string, BearerCheck>? BearerValidator
    {
        get => Volatile.Read(ref _bearerValidator);
        set => Volatile.Write(ref _bearerValidator, value);
    }

    private Func<string, BearerCheck>? _bearerValidator;
    /// <summary>The identity provider side: token endpoints, issued tokens, revocation, clock offset.</summary>
    public Auth.AuthEmulatorState Auth => _auth ??= new Auth.AuthEmulatorState(() => Options.Clock.GetUtcNow());
    private Auth.AuthEmulatorState? _auth;
}
