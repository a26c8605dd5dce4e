namespace ClaudePS.Engine.Batching;

/// <summary>
/// How <see cref="BatchRunner"/> sends the rows its shared part has screened: one Messages call per row
/// (<see cref="ParallelBatchMode"/>) or the Message Batches API (<see cref="ServerBatchMode"/>). Every
/// method except <see cref="Emitted"/> runs on the caller's thread.
/// </summary>
internal abstract class BatchMode
{
    /// <summary>The bound on rows admitted and not yet written.</summary>
    public abstract int WindowSize { get; }
    /// <summary>The most rows ever admitted and not yet written.</summary>
    public virtual int AdmittedHighWater => 0;
    /// <summary>The custom id a row is sent under, if the mode uses them.</summary>
    public virtual string? CustomIdFor(BatchRow row, long number) => null;
    /// <summary>Called for every row before it is screened; may block (draining output) to bound memory.</summary>
    public virtual void Admit(IClaudeOutputSink target) { }
    /// <summary>Sends a row that passed the shared screening (or finishes it, if the mode's budget refuses it).</summary>
    public abstract void Send(PreparedRow row, string? customId, IClaudeOutputSink target);
    /// <summary>Waits (draining output) until every admitted row is finished.</summary>
    public abstract void WaitAll(IClaudeOutputSink target);
    /// <summary>A row was written (any thread, under the runner's emit lock).</summary>
    public virtual void Emitted() { }
    /// <summary>The run is being disposed before it completed: let rows in flight end.</summary>
    public virtual void Abandon() { }
}
