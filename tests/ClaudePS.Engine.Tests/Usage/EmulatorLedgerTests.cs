using ClaudePS.Emulator;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Usage;

public class EmulatorLedgerTests
{
    /// <summary>
    /// With random faults on, every request the emulator billed is in the ledger once with the same
    /// tokens, and the ledger holds nothing the emulator did not bill. A stream cut by an error event after
    /// message_start is billed on both sides with the usage it reported; a connection dropped mid-stream
    /// is not billed by the emulator, so that fault kind is left out here.
    /// </summary>
    [Fact]
    public async Task With_random_faults_the_ledger_equals_the_emulators_accounting_request_by_request()
    {
        var ledger = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        await using var emulator = await EmulatorSession.StartAsync(new EmulatorOptions
        {
            FaultRate = 0.35,
            Seed = 7,
            RandomFaultKinds = new List<string> { "429", "529", "500", "503", FaultKinds.Reset, FaultKinds.StreamError },
            FaultRetryAfterMs = 1,
        }, o =>
        {
            o.UsageRecorder = new LedgerUsageRecorder(ledger, new ClaudeServices(PriceTable.Shipped));
            // Retries recover most faults; a small budget keeps some failures and the test fast.
            o.Resilience.MaxRetries = 1; o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1); o.Resilience.MaxDelay = TimeSpan.FromMilliseconds(5);
        }, apiKey: "sk-ant-test-ledger");
        var connection = emulator.Connection;

        int failures = 0;
        for (int i = 0; i < 40; i++)
        {
            var request = MessageRequest.ForPrompt($"prompt number {i} " + new string('x', i * 7), "claude-sonnet-4-5", 64);
            try
            {
                if (i % 2 == 0) await connection.Client.CreateMessageAsync(request);
                else await connection.Client.StreamMessageAsync(request, null);
            }
            catch (ClaudeException) { failures++; }
        }

        var billed = emulator.State.Accounting.Billed().Where(r => r.Endpoint == "messages").ToDictionary(r => r.RequestId);
        var records = new List<LedgerRecord>();
        foreach (var file in ledger.FilesFor(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(2)))
            new LedgerReader().Read(file, records.Add);

        Assert.True(emulator.State.Accounting.FaultsInjected > 0); // faults happened
        Assert.InRange(failures, 0, 39);                           // and so did successes
        // Every success is billed; streams cut by an error event are billed too, without being successes.
        Assert.True(billed.Count >= 40 - failures, $"{billed.Count} billed, {40 - failures} succeeded");
        Assert.Contains(emulator.State.Accounting.Records, r => r.Fault == FaultKinds.StreamError && r.Usage is not null);
        Assert.Equal(billed.Count, records.Count);
        foreach (var r in records)
        {
            Assert.True(billed.TryGetValue(r.RequestId!, out var e), $"ledger has {r.RequestId}, the emulator did not bill it");
            Assert.Equal((e.Usage!.InputTokens, e.Usage.OutputTokens, e.Usage.CacheCreation5mInputTokens, e.Usage.CacheCreation1hInputTokens, e.Usage.CacheReadInputTokens),
                ((int)r.InputTokens, (int)r.OutputTokens, (int)r.CacheWrite5mTokens, (int)r.CacheWrite1hTokens, (int)r.CacheReadTokens));
            Assert.NotNull(r.CostUsd);
        }
        Assert.Equal(records.Count, records.Select(r => r.RequestId).Distinct().Count());
    }
}
