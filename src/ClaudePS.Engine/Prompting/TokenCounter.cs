using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;

namespace ClaudePS.Engine.Prompting;

/// <summary>Measure-ClaudeToken: counts what a prompt would cost in input tokens, built exactly as
/// Invoke-ClaudePrompt would build it (system, attachments, conversation history, schema).</summary>
public sealed class TokenCounter
{
    private readonly ClaudeConnection _connection;

    public TokenCounter(ClaudeConnection connection) => _connection = connection;

    public async Task<ClaudeTokenCount> CountAsync(PromptOptions options, IClaudeOutputSink sink, CancellationToken cancellationToken)
    {
        try
        {
            var request = new PromptRunner(_connection).BuildRequest(options, sink);
            long tokens = await _connection.Client.CountTokensAsync(request, cancellationToken).ConfigureAwait(false);
            return new ClaudeTokenCount
            {
                Model = request.Model ?? "",
                InputTokens = tokens,
                Prompt = options.Prompt,
                AttachmentCount = options.Attachments.Count,
                Input = options.Input,
            };
        }
        catch (ClaudeException ex)
        {
            throw new ClaudeException(ex.Error.WithTarget(options.Input ?? options.Prompt), ex.InnerException);
        }
    }
}
