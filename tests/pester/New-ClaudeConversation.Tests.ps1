#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# New-ClaudeConversation: an in-memory conversation that Invoke-ClaudePrompt -Conversation continues.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'New-ClaudeConversation')
}

Describe 'New-ClaudeConversation' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Emulator = $script:Session.Emulator
    }

    AfterAll {
        Stop-ClaudeTestSession $script:Session
    }

    It 'creates an empty conversation without sending anything' {
        $c = New-ClaudeConversation
        $c | Should -BeOfType ([ClaudePS.ClaudeConversation])
        @($c.Messages).Count | Should -Be 0
        $c.Id | Should -Not -BeNullOrEmpty
        $c.TotalUsage.InputTokens | Should -Be 0
    }

    It 'takes -System by position and -Model by name' {
        $c = New-ClaudeConversation 'You are terse.' -Model claude-haiku-4-5
        $c.System | Should -Be 'You are terse.'
        $c.Model | Should -Be 'claude-haiku-4-5'
    }

    It 'is continued by Invoke-ClaudePrompt: each turn appends the prompt and the reply' {
        $c = New-ClaudeConversation -System 'Be brief.' -Model claude-haiku-4-5
        $r1 = Invoke-ClaudePrompt 'First question about apples' -Conversation $c
        $r1.Model | Should -BeLike 'claude-haiku-4-5*'
        @($c.Messages).Count | Should -Be 2
        $c.Messages[0].Role | Should -Be 'user'
        $c.Messages[1].Role | Should -Be 'assistant'
        $r2 = Invoke-ClaudePrompt 'Second question' -Conversation $c
        @($c.Messages).Count | Should -Be 4
        # The second turn sent the history, so it had more input.
        $r2.Usage.InputTokens | Should -BeGreaterThan $r1.Usage.InputTokens
        $c.TotalUsage.OutputTokens | Should -Be ($r1.Usage.OutputTokens + $r2.Usage.OutputTokens)
    }

    It 'rejects an empty -Model' {
        { New-ClaudeConversation -Model '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'completes -Model from the known models' {
        $line = 'New-ClaudeConversation -Model claude-hai'
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $completions | Should -Contain 'claude-haiku-4-5'
    }
}
