using System;
using System.Collections.Generic;
using System.Linq;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// -WhatIf: reads the rows as the runner would, sends nothing, and says how many requests, which models,
/// about how many input tokens and what cost range (input only, up to every row using its max_tokens).
/// </summary>
public sealed class BatchEstimator
{
    private readonly BatchOptions _options;
    private readonly BatchRequestBuilder _builder;
    private readonly PriceTable _prices;
    private readonly SortedSet<string> _models = new(StringComparer.OrdinalIgnoreCase);
    private long _rows, _invalid, _inputTokens, _outputTokens;
    private decimal _min, _max;
    private bool _unknownPrice;

    /// <param name="defaultModel">The model of rows that name none (the connection's default).</param>
    /// <param name="prices">The prices the run would be billed at (the connection's).</param>
    public BatchEstimator(BatchOptions options, string defaultModel, PriceTable prices)
    {
        _options = options;
        _builder = new BatchRequestBuilder(options, defaultModel);
        _prices = prices;
    }

    public void Add(BatchRow row)
    {
        _rows++;
        var p = _builder.Prepare(row, _rows);
        if (p.Request is null) { _invalid++; return; }
        string model = p.Request.Model!;
        _models.Add(model);
        _inputTokens += p.EstimatedInputTokens;
        _outputTokens += p.Request.MaxTokens;
        var low = _prices.Cost(model, new ClaudeUsage { InputTokens = p.EstimatedInputTokens }, _options.UseBatchApi);
        var high = _prices.Cost(model, new ClaudeUsage { InputTokens = p.EstimatedInputTokens, OutputTokens = p.Request.MaxTokens }, _options.UseBatchApi);
        if (low is null || high is null) { _unknownPrice = true; return; }
        _min += low.Value;
        _max += high.Value;
    }

    public ClaudeBatchEstimate Result() => new()
    {
        Rows = _rows,
        InvalidRows = _invalid,
        Models = _models.ToArray(),
        EstimatedInputTokens = _inputTokens,
        MaxOutputTokens = _outputTokens,
        MinCostUsd = _unknownPrice ? null : _min,
        MaxCostUsd = _unknownPrice ? null : _max,
        BatchPrice = _options.UseBatchApi,
    };

    public static ClaudeBatchEstimate Estimate(BatchOptions options, string defaultModel, PriceTable prices, IEnumerable<BatchRow> rows)
    {
        var e = new BatchEstimator(options, defaultModel, prices);
        foreach (var r in rows) e.Add(r);
        return e.Result();
    }
}
