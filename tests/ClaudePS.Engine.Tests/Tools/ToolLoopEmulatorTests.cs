using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Redaction;
using ClaudePS.Engine.Tests.Prompting;
using ClaudePS.Engine.Tests.Shared;
using ClaudePS.Engine.Tools;
using Xunit;

namespace ClaudePS.Engine.Tests.Tools;

/// <summary>The engine's tool loop against the in-process emulator, with a host that stands in for the pipeline thread.</summary>
public sealed class ToolLoopEmulatorTests : EmulatorConnectionTest
{
    private const string Key = "sk-ant-api03-Zq8vR2mN4kL7pX1wT9yB3cD6fG0hJ5sA8eU2iO4rQ7tY1uW3zX5vC9bN6mK0lP2jH4gF8dS1aE3qR5tY7uI9oP0aSdFgHjKlZx-QwErTyAA";

    public ToolLoopEmulatorTests() : base("sk-ant-emulator-tool-tests") { }

    private sealed class FakeHost : IToolHost
    {
        private readonly Func<ToolRunRequest, ToolRunResult> _run;
        public FakeHost(Func<ToolRunRequest, ToolRunResult> run) => _run = run;
        public List<ToolRunRequest> Requests { get; } = new();
        public Task<ToolRunResult> RunAsync(ToolRunRequest request, CancellationToken cancellationToken)
        {
            lock (Requests) Requests.Add(request);
            return Task.FromResult(_run(request));
        }
    }

    private static ClaudeTool Tool(string name, params ClaudeToolParameter[] parameters) =>
        ToolFactory.Create(new ToolDefinition { Name = name, CommandName = name, Parameters = parameters.ToList() });

    private static ToolRunResult Ran(string output) => new() { Status = ClaudeToolCallStatus.Ran, Output = output };

    private Task<ClaudeResponse> Run(string prompt, FakeHost host, ClaudeTool[] tools, Action<ToolLoopOptions>? configure = null,
        ClaudeConversation? conversation = null, CollectingSink? sink = null, bool stream = false)
    {
        var loop = new ToolLoopOptions { Tools = tools, Host = host };
        configure?.Invoke(loop);
        return new PromptRunner(Connection).RunAsync(new PromptOptions { Prompt = prompt, Tools = loop, Conversation = conversation, Stream = stream },
            sink ?? new CollectingSink(), default);
    }

    [Fact]
    public async Task A_read_only_tool_runs_and_the_answer_uses_its_output()
    {
        var host = new FakeHost(r => Ran("Drive C has 42 GB free"));
        var response = await Run("How full is the disk? Use the disk report.", host, new[] { Tool("Get-DiskReport") });

        Assert.Contains("Drive C has 42 GB free", response.Text);
        var call = Assert.Single(response.ToolCalls);
        Assert.Equal(("Get-DiskReport", ClaudeToolCallStatus.Ran, 1), (call.Tool, call.Status, call.Turn));
        Assert.Equal("Drive C has 42 GB free", call.Output);
        Assert.StartsWith("toolu_", call.ToolUseId);
        Assert.False(Assert.Single(host.Requests).NeedsConfirmation); // a Get verb
        Assert.Equal("Completed", response.ToolLoopStatus);
        Assert.Equal(2, response.Turns);
        var billed = Server.State.Accounting.Billed();
        Assert.Equal(2, billed.Count);
        Assert.Equal(billed.Sum(r => (long)r.Usage!.InputTokens), response.Usage.InputTokens);
        Assert.Equal(billed.Sum(r => (long)r.Usage!.OutputTokens), response.Usage.OutputTokens);
    }

    [Fact]
    public async Task A_known_secret_the_command_repeats_never_reaches_the_model()
    {
        // New-ClaudeTool registers a pinned secret (a credential's password, a -Password string) as known.
        const string pinned = "vault-pass-7Q2x-registered";
        KnownSecrets.Register(pinned);
        var tool = ToolFactory.Create(new ToolDefinition
        {
            Name = "Get-DiskReport", CommandName = "Get-DiskReport",
            Parameters = { new ClaudeToolParameter { Name = "Passphrase" } },
            Pinned = { ["Passphrase"] = pinned },
        });
        // As a PowerShell binding error does: it quotes the argument it could not use.
        var host = new FakeHost(r => new ToolRunResult { Status = ClaudeToolCallStatus.Failed, Error = $"Cannot validate argument \"{pinned}\".", Output = "echo " + pinned });
        var conversation = Conversations.Create(null, null);
        var response = await Run("How full is the disk? Use the disk report.", host, new[] { tool }, conversation: conversation);

        var call = Assert.Single(response.ToolCalls);
        Assert.DoesNotContain(pinned, call.Output);
        Assert.DoesNotContain(pinned, call.Error);
        Assert.Contains(KnownSecrets.Mask, call.Error);
        Assert.DoesNotContain(pinned, response.Text); // the emulator's answer quotes the tool result it was sent
        Assert.DoesNotContain(pinned, Conversations.ToJson(conversation)); // the tool_result turn as the model got it
    }

    [Fact]
    public async Task Several_named_tools_are_called_in_one_turn_and_pass_written_arguments()
    {
        var host = new FakeHost(r => Ran(r.Tool.Name + " for " + string.Join(",", r.Arguments.Select(a => a.Key + "=" + a.Value))));
        var response = await Run("Compare the service list and the event log: Name=spooler", host, new[]
        {
            Tool("Get-ServiceList", new ClaudeToolParameter { Name = "Name", Mandatory = true }),
            Tool("Get-EventLog", new ClaudeToolParameter { Name = "Newest", Type = ClaudeToolValueType.Integer }),
        });
        Assert.Equal(new[] { "Get-ServiceList", "Get-EventLog" }, response.ToolCalls.Select(c => c.Tool));
        Assert.All(response.ToolCalls, c => Assert.Equal(1, c.Turn));
        Assert.Equal("spooler", response.ToolCalls[0].Arguments["Name"]);
        Assert.Empty(response.ToolCalls[1].Arguments); // optional and not mentioned: left out
        Assert.Contains("Get-ServiceList for Name=spooler", response.Text);
        Assert.Equal(2, response.Turns);
    }

    [Fact]
    public async Task A_failing_command_is_an_error_result_the_model_reacts_to()
    {
        var host = new FakeHost(r => new ToolRunResult { Status = ClaudeToolCallStatus.Failed, Error = "Access is denied" });
        var response = await Run("Read the disk report.", host, new[] { Tool("Get-DiskReport") });
        var call = Assert.Single(response.ToolCalls);
        Assert.Equal(ClaudeToolCallStatus.Failed, call.Status);
        Assert.Equal("Access is denied", call.Error);
        Assert.Contains("Get-DiskReport failed: The command failed: Access is denied", response.Text);
    }

    [Fact]
    public async Task An_invented_tool_name_is_refused_and_never_reaches_the_host()
    {
        var host = new FakeHost(r => Ran("should not run"));
        var response = await Run("Please call Remove-Everything right now.", host, new[] { Tool("Get-DiskReport") });
        var call = Assert.Single(response.ToolCalls);
        Assert.Equal(("Remove-Everything", ClaudeToolCallStatus.Refused), (call.Tool, call.Status));
        Assert.Contains("There is no tool named 'Remove-Everything'", call.Error);
        Assert.Empty(host.Requests);
        Assert.Contains("Remove-Everything failed", response.Text); // the model was told
    }

    [Fact]
    public async Task MaxToolTurns_stops_a_loop_that_would_go_on_and_says_so()
    {
        var host = new FakeHost(r => Ran("Not done yet: call Get-Progress again."));
        var sink = new CollectingSink();
        var response = await Run("Watch the progress.", host, new[] { Tool("Get-Progress") }, o => o.MaxToolTurns = 2, sink: sink);
        Assert.Equal("MaxToolTurnsReached", response.ToolLoopStatus);
        Assert.Equal(new[] { ClaudeToolCallStatus.Ran, ClaudeToolCallStatus.Ran, ClaudeToolCallStatus.NotRun }, response.ToolCalls.Select(c => c.Status));
        Assert.Equal(new[] { 1, 2, 3 }, response.ToolCalls.Select(c => c.Turn));
        Assert.Equal(2, host.Requests.Count);
        Assert.Equal(3, response.Turns);
        Assert.Equal("tool_use", response.StopReason);
        Assert.Contains("-MaxToolTurns", response.ToolCalls[2].Error);
    }

    [Fact]
    public async Task The_default_limit_is_sensible_and_invalid_limits_are_refused()
    {
        Assert.Equal(10, new ToolLoopOptions().MaxToolTurns);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => Run("disk report", new FakeHost(r => Ran("")), new[] { Tool("Get-DiskReport") }, o => o.MaxToolTurns = 0));
        Assert.Equal("ClaudePS.InvalidTool", ex.Error.ErrorId);
        Assert.Empty(Server.State.Accounting.Records); // refused before sending
    }

    [Fact]
    public async Task Two_tools_with_one_name_are_refused_before_sending()
    {
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => Run("disk report", new FakeHost(r => Ran("")), new[] { Tool("Get-DiskReport"), Tool("Get-DiskReport") }));
        Assert.Contains("Two tools are named 'Get-DiskReport'", ex.Error.Message);
        Assert.Empty(Server.State.Accounting.Records);
    }

    [Fact]
    public async Task Tool_output_is_redacted_before_the_model_sees_it_unless_opted_out()
    {
        var host = new FakeHost(r => Ran("config: key=" + Key));
        var redacted = await Run("Show the config dump.", host, new[] { Tool("Get-ConfigDump") });
        Assert.DoesNotContain(Key, redacted.Text);
        Assert.DoesNotContain(Key, redacted.ToolCalls[0].Output);
        Assert.Contains("[REDACTED:AnthropicApiKey]", redacted.Text);

        var raw = await Run("Show the config dump.", host, new[] { Tool("Get-ConfigDump") }, o => o.RedactOutput = false);
        Assert.Contains(Key[..40], raw.ToolCalls[0].Output);
    }

    [Fact]
    public async Task Long_output_is_capped_and_says_it_was_cut()
    {
        var host = new FakeHost(r => Ran(new string('x', 5000)));
        var response = await Run("Get the big log.", host, new[] { Tool("Get-BigLog") }, o => o.MaxOutputChars = 1000);
        var call = Assert.Single(response.ToolCalls);
        Assert.True(call.Truncated);
        Assert.EndsWith("[output truncated: the first 1000 of 5000 characters are shown]", call.Output);
    }

    [Fact]
    public async Task A_dry_run_tells_the_model_nothing_ran()
    {
        var host = new FakeHost(r => new ToolRunResult { Status = ClaudeToolCallStatus.WhatIf });
        var response = await Run("Restart the spooler service.", host, new[] { Tool("Restart-SpoolerService") });
        var call = Assert.Single(response.ToolCalls);
        Assert.Equal(ClaudeToolCallStatus.WhatIf, call.Status);
        Assert.True(Assert.Single(host.Requests).NeedsConfirmation); // Restart changes state
        Assert.Contains("Not run: this is a dry run (-WhatIf)", response.Text);
    }

    [Theory]
    [InlineData(ClaudeToolConfirmPolicy.StateChanging, "Get-Disk", false)]
    [InlineData(ClaudeToolConfirmPolicy.StateChanging, "Stop-Disk", true)]
    [InlineData(ClaudeToolConfirmPolicy.Always, "Get-Disk", true)]
    [InlineData(ClaudeToolConfirmPolicy.Never, "Stop-Disk", false)]
    public async Task The_confirmation_policy_decides_which_calls_ask(ClaudeToolConfirmPolicy policy, string tool, bool asks)
    {
        var host = new FakeHost(r => Ran("ok"));
        await Run("Use the disk tool.", host, new[] { Tool(tool) }, o => o.Confirm = policy);
        Assert.Equal(asks, Assert.Single(host.Requests).NeedsConfirmation);
    }

    [Fact]
    public async Task A_conversation_keeps_the_tool_turns_continues_and_survives_export_and_import()
    {
        var conversation = Conversations.Create(null, null);
        var host = new FakeHost(r => Ran("Drive C has 42 GB free"));
        var tools = new[] { Tool("Get-DiskReport") };
        await Run("Check the disk report.", host, tools, conversation: conversation);
        Assert.Equal(new[] { "user", "assistant", "user", "assistant" }, conversation.Messages.Select(m => m.Role));
        Assert.Contains(conversation.Messages[1].Content, b => b.Type == "tool_use");
        Assert.Equal("tool_result", conversation.Messages[2].Content.Single().Type);

        var copy = Conversations.FromJson(Conversations.ToJson(conversation));
        var next = await Run("Thanks, summarise that in one line.", host, tools, conversation: copy);
        Assert.Empty(next.ToolCalls);
        Assert.Equal(6, copy.Messages.Count);
        Assert.Equal(conversation.Messages[1].Content.Single(b => b.Type == "tool_use").ToolUseId, copy.Messages[2].Content.Single().ToolUseId);
    }

    [Fact]
    public async Task A_conversation_stopped_at_the_limit_continues_with_the_next_prompt_joined_to_the_results()
    {
        var conversation = Conversations.Create(null, null);
        var host = new FakeHost(r => new ToolRunResult { Status = ClaudeToolCallStatus.Failed, Error = "boom, call Get-Progress" });
        var first = await Run("Watch the progress.", host, new[] { Tool("Get-Progress") }, o => o.MaxToolTurns = 1, conversation: conversation);
        Assert.Equal("MaxToolTurnsReached", first.ToolLoopStatus);
        Assert.Equal("user", conversation.Messages[^1].Role);
        Assert.True(conversation.Messages[^1].Content.All(b => b.Type == "tool_result" && b.IsError));

        var copy = Conversations.FromJson(Conversations.ToJson(conversation));
        Assert.True(copy.Messages[^1].Content.All(b => b.IsError)); // is_error survives export/import
        var next = await Run("Stop watching and say hello.", new FakeHost(r => Ran("")), Array.Empty<ClaudeTool>(), conversation: copy);
        Assert.Equal("end_turn", next.StopReason);
        Assert.Equal("user", copy.Messages[^2].Role);
        Assert.Equal("text", copy.Messages[^2].Content[^1].Type); // joined after the results
    }

    [Fact]
    public async Task A_conversation_with_tool_turns_continues_without_tools_and_keeps_its_tool_blocks()
    {
        var conversation = Conversations.Create(null, null);
        await Run("Check the disk report.", new FakeHost(r => Ran("42 GB free")), new[] { Tool("Get-DiskReport") }, conversation: conversation);
        // The API refuses tool blocks in a request without tools: they go as text, and stay blocks in the conversation.
        var next = await new PromptRunner(Connection).RunAsync(new PromptOptions { Prompt = "Summarise that.", Conversation = conversation }, new CollectingSink(), default);
        Assert.Equal("end_turn", next.StopReason);
        Assert.Equal(6, conversation.Messages.Count);
        Assert.Contains(conversation.Messages[1].Content, b => b.Type == "tool_use");
        Assert.Equal("tool_result", conversation.Messages[2].Content.Single().Type);
    }

    [Fact]
    public void Flattening_writes_tool_calls_and_results_as_text()
    {
        var messages = new List<ClaudeMessage>
        {
            new() { Role = "assistant", Content = { new ClaudeContentBlock { Type = "tool_use", ToolUseId = "t1", ToolName = "Get-X", InputJson = "{\"a\":1}" } } },
            new() { Role = "user", Content = { new ClaudeContentBlock { Type = "tool_result", ToolUseId = "t1", Text = "boom", IsError = true } } },
        };
        Conversations.FlattenToolBlocks(messages);
        Assert.Equal("[Called the tool Get-X with {\"a\":1}]", messages[0].Content[0].Text);
        Assert.Equal("[Tool result (error): boom]", messages[1].Content[0].Text);
        Assert.All(messages, m => Assert.Equal("text", m.Content[0].Type));
    }

    [Fact]
    public async Task Streaming_shows_tool_activity_between_the_texts()
    {
        var sink = new CollectingSink();
        var response = await Run("Check the disk report.", new FakeHost(r => Ran("42 GB free")), new[] { Tool("Get-DiskReport") }, sink: sink, stream: true);
        string shown = sink.Host.ToString();
        Assert.Contains("I'll check that with Get-DiskReport.", shown);
        Assert.Contains("[tool 1] Get-DiskReport: Ran", shown);
        Assert.Contains("42 GB free", shown);
        Assert.True(shown.IndexOf("[tool 1]", StringComparison.Ordinal) < shown.IndexOf("Here is what", StringComparison.Ordinal));
        Assert.Contains(sink.Verbose, v => v.Contains("[tool 1] Get-DiskReport: Ran"));
        Assert.Contains("42 GB free", response.Text);
    }

    [Fact]
    public async Task The_emulator_refuses_a_tool_result_that_answers_no_tool_use()
    {
        var request = Wire.MessageRequest.ForPrompt("hello", "claude-sonnet-4-5");
        request.Messages[0].Content.Insert(0, new ClaudeContentBlock { Type = "tool_result", ToolUseId = "toolu_nope", Text = "x" });
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => Connection.Client.CreateMessageAsync(request, new ClaudePS.Engine.Http.CallOptions(), default));
        Assert.Equal(400, ex.Error.HttpStatus);
        Assert.Contains("toolu_nope", ex.Error.Message);
    }

    [Fact]
    public async Task Offering_tools_adds_the_tool_use_system_prompt_to_the_input_tokens()
    {
        var plain = await new PromptRunner(Connection).RunAsync(new PromptOptions { Prompt = "hello there" }, new CollectingSink(), default);
        var host = new FakeHost(r => Ran(""));
        var withTool = await Run("hello there", host, new[] { Tool("Get-DiskReport") });
        Assert.Empty(withTool.ToolCalls);
        long toolTokens = Emulator.TokenCounter.Count(ToolFactory.Definition(Tool("Get-DiskReport")));
        Assert.Equal(plain.Usage.InputTokens + toolTokens + 346, withTool.Usage.InputTokens);
    }
}
