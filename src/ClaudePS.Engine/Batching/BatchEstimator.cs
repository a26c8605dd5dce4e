using System;
using System.Collections.Generic;
using System.Linq;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// -WhatIf: reads the rows as the runner would, sends nothing, and says how many requests, which models,
/// about how many input tokens and what cost range (input only, up to every row using its max_tokens).
/// </summary>
public sealed class BatchEstimator
{
    private readonly BatchOptions _options;
    private readonly BatchRequestBuilder _builder;
    private readonly IBatchPricing _pricing;
    private readonly SortedSet<string> _models = new(StringComparer.OrdinalIgnoreCase);
    private long _rows, _invalid, _inputTokens, _outputTokens;
    private decimal _min, _max;
    private bool _unknownPrice;

    public BatchEstimator(BatchOptions options, string? connectionDefaultModel)
    {
        _options = options;
        _builder = new BatchRequestBuilder(options, connectionDefaultModel ?? Wire.KnownModels.DefaultModel);
        _pricing = options.Pricing ?? BatchPricing.Default;
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
        var low = _pricing.Cost(model, new ClaudeUsage { InputTokens = p.EstimatedInputTokens }, _options.UseBatchApi);
        var high = _pricing.Cost(model, new ClaudeUsage { InputTokens = p.EstimatedInputTokens, OutputTokens = p.Request.MaxTokens }, _options.UseBatchApi);
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

    public static ClaudeBatchEstimate Estimate(BatchOptions options, string? connectionDefaultModel, IEnumerable<BatchRow> rows)
    {
        var e = new BatchEstimator(options, connectionDefaultModel);
        foreach (var r in rows) e.Add(r);
        return e.Result();
    }
}
