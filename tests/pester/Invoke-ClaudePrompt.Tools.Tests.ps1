#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Invoke-ClaudePrompt -Tool against the emulator: commands run in this session on the pipeline thread,
# under ShouldProcess and the confirmation policy; .ToolCalls, conversations, the ledger and streaming.
# This process is non-interactive (pwsh -NonInteractive); confirmations are answered by a scripted host
# in a runspace of its own.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Session = Start-ClaudeTestSession

    $script:SideEffects = [System.Collections.Generic.List[string]]::new()
    $script:CallerValue = 'caller-scope-7731'
    function Get-DiskReport {
        <#
        .SYNOPSIS
        Reports free space on a drive of this server.
        #>
        [CmdletBinding()]
        param([ValidateSet('C', 'D')] [string] $Drive = 'C')
        "Drive $Drive has 42 GB free ($script:CallerValue) in $((Get-Location).Path)"
    }
    function Restart-AppPool {
        [CmdletBinding(SupportsShouldProcess)]
        param([string] $Name = 'default')
        $script:SideEffects.Add("restarted $Name")
        "AppPool $Name restarted"
    }
    function Remove-Everything { $script:SideEffects.Add('removed everything') }
    function Get-Progress { 'Not done yet: call Get-Progress again.' }
    function Get-Broken { throw 'The disk is on fire' }
    function Get-Connection {
        param([Parameter(Mandatory)] [pscredential] $Credential, [string] $ComputerName)
        "connected to $ComputerName as $($Credential.UserName)"
    }
    function Get-Config { 'api_key = sk-ant-api03-Zq8vR2mN4kL7pX1wT9yB3cD6fG0hJ5sA8eU2iO4rQ7tY1uW3zX5vC9bN6mK0lP2jH4gF8dS1aE3qR5tY7uI9oP0aSdFgHjKlZx-QwErTyAA' }

    # A host whose prompts are answered by script: 0 = Yes, 2 = No (ShouldContinue's Yes / Yes to All / No / No to All).
    Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
public sealed class ClaudePSScriptedHost : PSHost
{
    private readonly Guid _id = Guid.NewGuid();
    public ClaudePSScriptedHost(int answer) { Scripted = new ClaudePSScriptedUI(answer); }
    public ClaudePSScriptedUI Scripted { get; }
    public override string Name => "ClaudePSScriptedHost";
    public override Version Version => new Version(1, 0);
    public override Guid InstanceId => _id;
    public override PSHostUserInterface UI => Scripted;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override void SetShouldExit(int exitCode) { }
    public override void EnterNestedPrompt() { }
    public override void ExitNestedPrompt() { }
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
}
public sealed class ClaudePSScriptedUI : PSHostUserInterface
{
    public ClaudePSScriptedUI(int answer) { Answer = answer; }
    public int Answer { get; set; }
    public List<string> Prompts { get; } = new List<string>();
    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) { Prompts.Add(caption + ": " + message); return Answer; }
    public override PSHostRawUserInterface RawUI => null;
    public override string ReadLine() => "";
    public override SecureString ReadLineAsSecureString() => new SecureString();
    public override void Write(string value) { }
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { }
    public override void WriteLine(string value) { }
    public override void WriteErrorLine(string value) { }
    public override void WriteDebugLine(string message) { }
    public override void WriteProgress(long sourceId, ProgressRecord record) { }
    public override void WriteVerboseLine(string message) { }
    public override void WriteWarningLine(string message) { }
    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => new Dictionary<string, PSObject>();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => null;
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => null;
}
'@

    # Runs a tool prompt in a runspace whose host answers confirmations with $Answer; returns the response, the prompts and the side effects.
    function Invoke-WithScriptedHost {
        param([int] $Answer, [string] $Prompt, [switch] $Confirm, [string] $ConfirmPreference = 'High')
        $hostUi = [ClaudePSScriptedHost]::new($Answer)
        $runspace = [runspacefactory]::CreateRunspace($hostUi)
        $runspace.Open()
        try {
            $ps = [powershell]::Create()
            $ps.Runspace = $runspace
            $null = $ps.AddScript({
                param($Manifest, $BaseUri, $Prompt, $Confirm, $Preference)
                $ConfirmPreference = $Preference
                Import-Module $Manifest
                Connect-Claude -ApiKey (ConvertTo-SecureString 'sk-ant-pester-0123456789' -AsPlainText -Force) -BaseUri $BaseUri
                $effects = [System.Collections.Generic.List[string]]::new()
                function Restart-AppPool { param([string] $Name = 'default') $effects.Add("restarted $Name"); "AppPool $Name restarted" }
                $confirmArgs = if ($Confirm) { @{ Confirm = $true } } else { @{} }
                $r = Invoke-ClaudePrompt $Prompt -Tool (Get-Command Restart-AppPool) @confirmArgs
                [pscustomobject]@{ Response = $r; Effects = @($effects) }
            }).AddArgument((Get-ModuleManifestPath)).AddArgument($script:Session.Emulator.BaseUri).AddArgument($Prompt).AddArgument([bool]$Confirm).AddArgument($ConfirmPreference)
            $out = $ps.Invoke()
            if ($ps.HadErrors) { throw ($ps.Streams.Error | Out-String) }
            [pscustomobject]@{ Response = $out[0].Response; Effects = $out[0].Effects; Prompts = @($hostUi.Scripted.Prompts) }
        } finally {
            $runspace.Dispose()
        }
    }
}

AfterAll {
    Stop-ClaudeTestSession $script:Session
}

Describe 'Invoke-ClaudePrompt -Tool' {
    BeforeEach { $script:SideEffects.Clear() }

    Context 'the loop' {
        It 'runs a read-only command in this session and the answer uses its real output' {
            $r = Invoke-ClaudePrompt 'How full is the disk? Check the disk report with Drive=D' -Tool (Get-Command Get-DiskReport)
            $where = (Get-Location).Path
            $r.Text | Should -BeLike "*Drive D has 42 GB free (caller-scope-7731) in $where*"
            $r.ToolLoopStatus | Should -Be 'Completed'
            $r.Turns | Should -Be 2
        }

        It 'records every call completely on .ToolCalls' {
            $r = Invoke-ClaudePrompt 'Check the disk report with Drive=D' -Tool Get-DiskReport
            $call = @($r.ToolCalls)
            $call.Count | Should -Be 1
            $call[0] | Should -BeOfType ([ClaudePS.ClaudeToolCall])
            $call[0].Tool | Should -Be 'Get-DiskReport'
            $call[0].ToolUseId | Should -BeLike 'toolu_*'
            $call[0].Arguments['Drive'] | Should -Be 'D'
            $call[0].CommandLine | Should -Be "Get-DiskReport -Drive 'D'"
            $call[0].Status | Should -Be 'Ran'
            $call[0].Confirmed | Should -BeFalse
            $call[0].Output | Should -BeLike 'Drive D has 42 GB free*'
            $call[0].Error | Should -BeNullOrEmpty
            $call[0].Duration | Should -BeGreaterThan ([TimeSpan]::Zero)
            $call[0].Turn | Should -Be 1
            ($r.ToolCalls | Out-String) | Should -Match "Ran\s+\d+\.\d\d\s+Get-DiskReport -Drive 'D'"
        }

        It 'runs several calls named in one turn' {
            $r = Invoke-ClaudePrompt 'Check the disk report and the progress' -Tool Get-DiskReport, Get-Progress -MaxToolTurns 1 -WarningAction SilentlyContinue
            @($r.ToolCalls | Where-Object Turn -eq 1).Tool | Should -Be @('Get-DiskReport', 'Get-Progress')
        }

        It 'sums usage and cost over the turns, and the ledger has every turn' {
            $r = Invoke-ClaudePrompt 'Check the disk report' -Tool Get-DiskReport -Tag 'pester-tool-ledger'
            $r.Turns | Should -Be 2
            $ledger = Get-ClaudeUsage -Tag 'pester-tool-ledger' -Summary
            $ledger.Requests | Should -Be 2
            $ledger.InputTokens | Should -Be $r.Usage.InputTokens
            $ledger.OutputTokens | Should -Be $r.Usage.OutputTokens
            $ledger.CostUsd | Should -Be $r.CostUsd
        }

        It 'sends a failing command back as an error the model reacts to' {
            $r = Invoke-ClaudePrompt 'Look at the broken thing' -Tool Get-Broken
            $r.ToolCalls[0].Status | Should -Be 'Failed'
            $r.ToolCalls[0].Error | Should -Match 'The disk is on fire'
            $r.Text | Should -Match 'Get-Broken failed: The command failed: .*The disk is on fire'
        }

        It 'refuses a tool name the model invents and runs nothing' {
            $r = Invoke-ClaudePrompt 'Please call Remove-Everything now' -Tool Get-DiskReport
            $r.ToolCalls[0].Tool | Should -Be 'Remove-Everything'
            $r.ToolCalls[0].Status | Should -Be 'Refused'
            $r.ToolCalls[0].Error | Should -Match "no tool named 'Remove-Everything'"
            $script:SideEffects | Should -BeNullOrEmpty
            $r.Text | Should -Match 'Remove-Everything failed'
        }

        It '-MaxToolTurns stops a loop that would go on, with a clear status and a warning' {
            $r = Invoke-ClaudePrompt 'Watch the progress' -Tool Get-Progress -MaxToolTurns 2 -WarningVariable warned -WarningAction SilentlyContinue
            $r.ToolLoopStatus | Should -Be 'MaxToolTurnsReached'
            @($r.ToolCalls.Status) | Should -Be @('Ran', 'Ran', 'NotRun')
            "$warned" | Should -Match 'MaxToolTurns'
            $r.Turns | Should -Be 3
        }

        It 'has a default limit of 10 tool turns' {
            (Get-Command Invoke-ClaudePrompt).Parameters['MaxToolTurns'] | Should -Not -BeNullOrEmpty
            $r = Invoke-ClaudePrompt 'Watch the progress' -Tool Get-Progress -WarningAction SilentlyContinue
            @($r.ToolCalls | Where-Object Status -eq 'Ran').Count | Should -Be 10
        }

        It 'runs a script block tool in the scope it was written in' {
            $local = 'from-the-test'
            $tool = New-ClaudeTool -ScriptBlock { param([string] $Name) "hello $Name $local" } -Name Get-Greeting -Description 'Greets someone.'
            $r = Invoke-ClaudePrompt 'Say the greeting for Name=Ann' -Tool $tool
            $r.ToolCalls[0].Output | Should -Be 'hello Ann from-the-test'
            $r.Text | Should -Match 'hello Ann from-the-test'
        }

        It 'passes pinned arguments (a credential included) that the model never sees' {
            $cred = [pscredential]::new('svc-reader', (ConvertTo-SecureString 'N0t-for-the-model' -AsPlainText -Force))
            $tool = New-ClaudeTool Get-Connection -ToolParameter @{ Credential = $cred; ComputerName = 'srv01' }
            $r = Invoke-ClaudePrompt 'Check the connection' -Tool $tool
            $r.ToolCalls[0].Output | Should -Be 'connected to srv01 as svc-reader'
            $r.ToolCalls[0].CommandLine | Should -Be 'Get-Connection -Credential <pinned> -ComputerName <pinned>'
            $tool.InputSchema | Should -Not -Match 'Credential|ComputerName'
            ($r | ConvertTo-Json -Depth 8 -WarningAction SilentlyContinue) | Should -Not -Match 'N0t-for-the-model'
        }

        It 'never lets a command pass a pinned secret on to the model, even with redaction off' {
            function Test-Login { param([string] $Password, [string] $Server) "login to $Server with $Password failed" }
            $tool = New-ClaudeTool Test-Login -ToolParameter @{ Password = 'Pinned-S3cret-4711'; Server = 'srv02' }
            $r = Invoke-ClaudePrompt 'Call Test-Login' -Tool $tool -NoToolOutputRedaction -Redact None
            $r.ToolCalls[0].Output | Should -Be 'login to srv02 with *** failed'
            ($r | ConvertTo-Json -Depth 8 -WarningAction SilentlyContinue) | Should -Not -Match 'Pinned-S3cret-4711'
        }

        It 'redacts tool output before the model sees it, unless -NoToolOutputRedaction' {
            $r = Invoke-ClaudePrompt 'Show the config' -Tool Get-Config
            $r.Text | Should -Not -Match 'sk-ant-api03'
            $r.Text | Should -Match 'REDACTED'
            $raw = Invoke-ClaudePrompt 'Show the config' -Tool Get-Config -NoToolOutputRedaction -Redact None
            $raw.ToolCalls[0].Output | Should -Match 'sk-ant-api03-Zq8v'
        }

        It 'caps long output and tells the model it was cut' {
            function Get-BigLog { 'x' * 5000 }
            $r = Invoke-ClaudePrompt 'Read the big log' -Tool Get-BigLog -MaxToolOutputLength 500
            $r.ToolCalls[0].Truncated | Should -BeTrue
            $r.ToolCalls[0].Output | Should -Match 'output truncated: the first 500 of 5000 characters'
        }

        It '-Stream shows the tool activity live' {
            $null = Invoke-ClaudePrompt 'Check the disk report' -Tool Get-DiskReport -Stream -InformationVariable shown -InformationAction SilentlyContinue
            $text = -join @($shown | ForEach-Object { "$($_.MessageData)" })
            $text | Should -Match "I'll check that with Get-DiskReport"
            $text | Should -Match '\[tool 1\] Get-DiskReport: Ran'
            $text | Should -Match 'Here is what the tools returned'
        }
    }

    Context 'control' {
        It 'a state-changing function asks for confirmation and runs when the user says yes' {
            $result = Invoke-WithScriptedHost -Answer 0 -Prompt 'Restart the app pool'
            $result.Prompts.Count | Should -Be 1
            $result.Prompts[0] | Should -Match 'Restart-AppPool can change the system'   # the policy's question
            $result.Effects | Should -Be @('restarted default')
            $result.Response.ToolCalls[0].Status | Should -Be 'Ran'
            $result.Response.ToolCalls[0].Confirmed | Should -BeTrue
        }

        It 'a declined confirmation runs nothing and the model is told' {
            $result = Invoke-WithScriptedHost -Answer 2 -Prompt 'Restart the app pool'
            $result.Effects | Should -BeNullOrEmpty
            $result.Response.ToolCalls[0].Status | Should -Be 'Refused'
            $result.Response.Text | Should -Match 'declined'
        }

        It '-Confirm asks once per call, through ShouldProcess with the command line' {
            $result = Invoke-WithScriptedHost -Answer 0 -Prompt 'Restart the app pool' -Confirm
            $result.Prompts.Count | Should -Be 1
            $result.Prompts[0] | Should -Match 'Claude asks to run "Restart-AppPool"'   # ShouldProcess's, with the command line
            $result.Prompts[0] | Should -Not -Match 'can change the system'
            $result.Response.ToolCalls[0].Confirmed | Should -BeTrue
        }

        It 'asks once when $ConfirmPreference already makes ShouldProcess ask' {
            $result = Invoke-WithScriptedHost -Answer 0 -Prompt 'Restart the app pool' -ConfirmPreference Medium
            $result.Prompts.Count | Should -Be 1
            $result.Prompts[0] | Should -Not -Match 'can change the system'
            $result.Effects | Should -Be @('restarted default')
            $result.Response.ToolCalls[0].Confirmed | Should -BeTrue
        }

        It 'a non-interactive host refuses a call that needs confirmation, and does not hang' {
            $r = Invoke-ClaudePrompt 'Restart the app pool' -Tool Restart-AppPool
            $r.ToolCalls[0].Status | Should -Be 'Refused'
            $r.ToolCalls[0].Error | Should -Match 'non-interactive'
            $script:SideEffects | Should -BeNullOrEmpty
            $r.Text | Should -Match 'Restart-AppPool failed: .*non-interactive'
            # -Confirm on a read-only tool: ShouldProcess cannot ask here either, so the call is refused.
            (Invoke-ClaudePrompt 'Check the disk report' -Tool Get-DiskReport -Confirm).ToolCalls[0].Status | Should -Be 'Refused'
        }

        It 'a pipeline with no host UI (a [powershell]::Create() runspace) refuses too, and runs nothing' {
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$(Get-ModuleManifestPath)'
                    function Stop-Spooler { [CmdletBinding(SupportsShouldProcess)] param() 'stopped' }
                    (Invoke-ClaudePrompt 'Stop the spooler' -Tool Stop-Spooler).ToolCalls[0]")
                $call = $ps.Invoke() | Select-Object -Last 1
                $call.Status | Should -Be 'Refused'
                $call.Output | Should -Not -Match 'stopped'   # the command never ran
                $call.Error | Should -Match 'cannot ask'
            } finally { $ps.Dispose() }
        }

        It '-WhatIf runs nothing and the model is told it was a dry run' {
            $r = Invoke-ClaudePrompt 'Restart the app pool' -Tool Restart-AppPool -WhatIf -InformationAction SilentlyContinue
            $script:SideEffects | Should -BeNullOrEmpty
            $r.ToolCalls[0].Status | Should -Be 'WhatIf'
            $r.Text | Should -Match 'dry run'
        }

        It '-ToolConfirm Never lets a state-changing call run unattended; read-only calls never ask' {
            $r = Invoke-ClaudePrompt 'Restart the app pool' -Tool Restart-AppPool -ToolConfirm Never
            $r.ToolCalls[0].Status | Should -Be 'Ran'
            $script:SideEffects | Should -Be @('restarted default')
            (Invoke-ClaudePrompt 'Check the disk report' -Tool Get-DiskReport -ToolConfirm StateChanging).ToolCalls[0].Status | Should -Be 'Ran'
            (Invoke-ClaudePrompt 'Check the disk report' -Tool Get-DiskReport -ToolConfirm Always).ToolCalls[0].Status | Should -Be 'Refused'
        }

        It 'two tools with one name are a terminating error before anything is sent' {
            { Invoke-ClaudePrompt 'Check the disk report' -Tool Get-DiskReport, (Get-Command Get-DiskReport) -ErrorAction Stop } | Should -Throw -ErrorId 'ClaudePS.InvalidTool*'
        }

        It 'a credential parameter never appears in the schema sent' {
            $tool = New-ClaudeTool Get-Connection -ToolParameter @{ Credential = [pscredential]::new('u', (ConvertTo-SecureString 'p' -AsPlainText -Force)) }
            ($tool.InputSchema | ConvertFrom-Json -AsHashtable).properties.Keys | Should -Be @('ComputerName')
            { Invoke-ClaudePrompt 'Check the connection' -Tool Get-Connection -ErrorAction Stop } | Should -Throw -ErrorId 'ClaudePS.InvalidTool*'
        }
    }

    Context 'stopping' {
        It 'Ctrl+C (a pipeline stop) ends a prompt while its tool is running' {
            $started = [System.Threading.ManualResetEventSlim]::new($false)
            $ps = [powershell]::Create()
            $null = $ps.AddScript({
                param($Manifest, $BaseUri, $Started)
                Import-Module $Manifest
                Connect-Claude -ApiKey (ConvertTo-SecureString 'sk-ant-pester-0123456789' -AsPlainText -Force) -BaseUri $BaseUri
                function Get-SlowReport { $Started.Set(); Start-Sleep -Seconds 120; 'finished' }
                Invoke-ClaudePrompt 'Read the slow report' -Tool (Get-Command Get-SlowReport)
            }).AddArgument((Get-ModuleManifestPath)).AddArgument($script:Session.Emulator.BaseUri).AddArgument($started)
            $async = $ps.BeginInvoke()
            try {
                $started.Wait([TimeSpan]::FromSeconds(60)) | Should -BeTrue
                $ps.Stop() # what Ctrl+C does; returns once the pipeline, tool included, has stopped
                $async.IsCompleted | Should -BeTrue
                $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            } finally {
                $ps.Dispose()
            }
        }
    }

    Context 'conversations' {
        It 'keeps the tool turns, continues after them and survives export and import' {
            $chat = New-ClaudeConversation
            $first = Invoke-ClaudePrompt 'Check the disk report' -Tool Get-DiskReport -Conversation $chat
            @($chat.Messages.Role) | Should -Be @('user', 'assistant', 'user', 'assistant')
            $chat.Messages[1].Content.Type | Should -Contain 'tool_use'
            $chat.Messages[2].Content[0].Type | Should -Be 'tool_result'
            $chat.TotalUsage.InputTokens | Should -Be $first.Usage.InputTokens

            $path = Join-Path (Get-TestClaudeHome) 'tool-chat.json'
            $chat | Export-ClaudeConversation -Path $path
            $loaded = Import-ClaudeConversation -Path $path
            @($loaded.Messages.Role) | Should -Be @('user', 'assistant', 'user', 'assistant')
            $loaded.Messages[2].Content[0].ToolUseId | Should -Be $chat.Messages[1].Content.Where({ $_.Type -eq 'tool_use' })[0].ToolUseId

            $next = Invoke-ClaudePrompt 'Thanks. Now check the disk report with Drive=C' -Tool Get-DiskReport -Conversation $loaded
            $next.ToolCalls[0].Arguments['Drive'] | Should -Be 'C'
            $loaded.Messages.Count | Should -Be 8
        }

        It 'continues a conversation whose loop stopped at the limit' {
            $chat = New-ClaudeConversation
            $null = Invoke-ClaudePrompt 'Watch the progress' -Tool Get-Progress -MaxToolTurns 1 -Conversation $chat -WarningAction SilentlyContinue
            $chat.Messages[-1].Role | Should -Be 'user'
            $chat.Messages[-1].Content.IsError | Should -Contain $true
            $r = Invoke-ClaudePrompt 'Never mind, just say hello' -Conversation $chat
            $r.StopReason | Should -Be 'end_turn'
        }
    }
}
