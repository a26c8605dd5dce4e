#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Measure-ClaudeToken against the emulator's count_tokens: input shapes, the request as Invoke-ClaudePrompt
# builds it (system, attachments, conversation), and that counting is free.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Measure-ClaudeToken')
}

Describe 'Measure-ClaudeToken' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Emulator = $script:Session.Emulator
        # A 1x1 PNG.
        $script:Png = Join-Path $TestDrive 'dot.png'
        [IO.File]::WriteAllBytes($script:Png, [Convert]::FromBase64String('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='))
    }

    AfterAll {
        Stop-ClaudeTestSession $script:Session
    }

    It 'counts a prompt by position and matches what the reply reports as input' {
        $count = Measure-ClaudeToken 'How many tokens is this?'
        $count | Should -BeOfType ([ClaudePS.ClaudeTokenCount])
        $count.InputTokens | Should -BeGreaterThan 0
        $count.Prompt | Should -Be 'How many tokens is this?'
        $count.InputTokens | Should -Be (Invoke-ClaudePrompt 'How many tokens is this?' -NoAutoCache).Usage.InputTokens
    }

    It 'counts -System too' {
        $without = (Measure-ClaudeToken -Prompt 'same prompt').InputTokens
        $with = (Measure-ClaudeToken -Prompt 'same prompt' -System 'A long system prompt with several more words in it.').InputTokens
        $with | Should -BeGreaterThan $without
    }

    It 'counts piped strings and CSV rows, one count each, echoing the row as Input' {
        @('one', 'two') | Measure-ClaudeToken | Should -HaveCount 2
        $rows = Import-Csv (Join-Path (Get-RepoRoot) 'samples/prompts.csv')
        $counts = $rows | Measure-ClaudeToken
        @($counts).Count | Should -Be $rows.Count
        $counts[0].Input.Id | Should -Be '1'
    }

    It 'counts attachments and reports them' {
        $plain = (Measure-ClaudeToken -Prompt 'Describe this').InputTokens
        $withImage = Measure-ClaudeToken -Prompt 'Describe this' -Attachment $script:Png
        $withImage.AttachmentCount | Should -Be 1
        $withImage.InputTokens | Should -BeGreaterThan $plain
    }

    It 'counts the conversation history without changing the conversation' {
        $chat = New-ClaudeConversation
        Invoke-ClaudePrompt 'An earlier turn about lighthouses' -Conversation $chat | Out-Null
        $before = @($chat.Messages).Count
        $fresh = (Measure-ClaudeToken 'Next question').InputTokens
        (Measure-ClaudeToken 'Next question' -Conversation $chat).InputTokens | Should -BeGreaterThan $fresh
        @($chat.Messages).Count | Should -Be $before
    }

    It '-Model is sent and echoed; -Connection picks a connection' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name other
        try {
            (Measure-ClaudeToken 'hi' -Model claude-haiku-4-5 -Connection other).Model | Should -BeLike 'claude-haiku-4-5*'
        } finally {
            # The newest connection is the default: restore the session's, or the later tests run unconnected.
            Disconnect-Claude -Name other
            Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri
        }
    }

    It 'an unknown model is a non-terminating ObjectNotFound error' {
        $r = Measure-ClaudeToken 'hi' -Model 'claude-does-not-exist' -ErrorVariable errs -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'a missing attachment fails before anything is sent' {
        $r = Measure-ClaudeToken 'hi' -Attachment (Join-Path $TestDrive 'missing.png') -ErrorVariable errs -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $errs[0].Exception.Message | Should -Match 'missing.png'
    }
}
