#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Import-ClaudeConversation: files by path, wildcard and piped FileInfo; bad files are per-file errors.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Import-ClaudeConversation')
}

Describe 'Import-ClaudeConversation' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Emulator = $script:Session.Emulator
        $script:Dir = Join-Path $TestDrive 'conversations'
        New-Item -ItemType Directory $script:Dir | Out-Null
        foreach ($n in 1..3) {
            $c = New-ClaudeConversation -System "Conversation $n"
            Invoke-ClaudePrompt "Question $n" -Conversation $c | Out-Null
            Export-ClaudeConversation -Path (Join-Path $script:Dir "conv$n.json") -Conversation $c
        }
    }

    AfterAll {
        Stop-ClaudeTestSession $script:Session
    }

    It 'reads one file by position' {
        $c = Import-ClaudeConversation (Join-Path $script:Dir 'conv1.json')
        $c | Should -BeOfType ([ClaudePS.ClaudeConversation])
        $c.System | Should -Be 'Conversation 1'
        @($c.Messages).Count | Should -Be 2
    }

    It 'expands wildcards: one conversation per file' {
        $all = Import-ClaudeConversation -Path (Join-Path $script:Dir 'conv*.json')
        @($all).Count | Should -Be 3
        ($all.System | Sort-Object) | Should -Be @('Conversation 1', 'Conversation 2', 'Conversation 3')
    }

    It 'binds FullName from piped files' {
        $all = Get-ChildItem $script:Dir -Filter '*.json' | Import-ClaudeConversation
        @($all).Count | Should -Be 3
    }

    It 'the imported conversation continues' {
        $c = Import-ClaudeConversation (Join-Path $script:Dir 'conv2.json')
        Invoke-ClaudePrompt 'Follow-up' -Conversation $c | Out-Null
        @($c.Messages).Count | Should -Be 4
    }

    It 'a file that is not a conversation is a non-terminating error naming it; other files still load' {
        $bad = Join-Path $script:Dir 'zz-bad.json'
        Set-Content $bad '{ "not": "a conversation" }'
        try {
            $all = Import-ClaudeConversation -Path (Join-Path $script:Dir '*.json') -ErrorVariable errs -ErrorAction SilentlyContinue
            @($all).Count | Should -Be 3
            $errs.Count | Should -Be 1
            $errs[0].Exception.Message | Should -Match 'zz-bad'
        } finally { Remove-Item $bad }
    }

    It 'requires a path' {
        { Import-ClaudeConversation -Path '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}

Describe 'Import-ClaudeConversation path rules' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Bracket = Join-Path $TestDrive 'chat [1].json'
        $c = New-ClaudeConversation -System 'Brackets'
        Export-ClaudeConversation -Path ($script:Bracket -replace '\[', '`[' -replace '\]', '`]') -Conversation $c
    }

    AfterAll { Stop-ClaudeTestSession $script:Session }

    It 'writes and reads a name with [ ] (escaped -Path, -LiteralPath, piped file)' {
        Test-Path -LiteralPath $script:Bracket | Should -BeTrue
        (Import-ClaudeConversation -LiteralPath $script:Bracket).System | Should -Be 'Brackets'
        (Get-Item -LiteralPath $script:Bracket | Import-ClaudeConversation).System | Should -Be 'Brackets'
    }

    It 'a pattern that matches nothing is ClaudePS.ConversationNotFound naming -LiteralPath' {
        $err = $null
        Import-ClaudeConversation -Path $script:Bracket -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.ConversationNotFound,*'
        "$($err[0])" | Should -BeLike '*-LiteralPath*'
    }

    It 'a folder that cannot be written is a named export error with the path' {
        $blocker = Join-Path $TestDrive 'not-a-folder'
        Set-Content -LiteralPath $blocker -Value 'x'
        $target = Join-Path $blocker 'chat.json'
        $err = $null
        Export-ClaudeConversation -Path $target -Conversation (New-ClaudeConversation) -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.ExportFailed,*'
        "$($err[0])" | Should -BeLike "*$target*"
    }
}
