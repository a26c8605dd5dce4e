using System;
using System.Collections.Generic;

namespace ClaudePS.Emulator;

/// <summary>The emulator's knobs. Command line: --name value (e.g. --rpm 600).</summary>
public sealed class EmulatorOptions
{
    /// <summary>Accepted API keys; empty means any key that starts with sk-ant-.</summary>
    public List<string> ApiKeys { get; set; } = new();

    public static EmulatorOptions FromArgs(string[] args)
    {
        var options = new EmulatorOptions();
        for (int i = 0; i + 1 < args.Length; i++)
        {
            switch (args[i])
            {
                case "--api-key": options.ApiKeys.Add(args[++i]); break;
            }
        }
        return options;
    }
}
