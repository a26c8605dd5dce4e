namespace ClaudePS.TestWorker;

/// <summary>Dispatches to a worker command; each command lives in its own file (e.g. LedgerWriterCommand.cs).</summary>
public static class Program
{
    private static readonly Dictionary<string, Func<string[], Task<int>>> Commands = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Worker commands register here from their static constructors' callers (see Register).</summary>
    public static void Register(string name, Func<string[], Task<int>> run) => Commands[name] = run;

    public static async Task<int> Main(string[] args)
    {
        WorkerCommands.RegisterAll();
        if (args.Length == 0 || !Commands.TryGetValue(args[0], out var run))
        {
            Console.Error.WriteLine("usage: ClaudePS.TestWorker <command> [args]; commands: " + string.Join(", ", Commands.Keys));
            return 2;
        }
        return await run(args[1..]);
    }
}
