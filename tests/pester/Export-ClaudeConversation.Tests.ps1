#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Export-ClaudeConversation: JSON files Import-ClaudeConversation reads; -NoClobber, -Force, -PassThru, -WhatIf.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Export-ClaudeConversation')
}

Describe 'Export-ClaudeConversation' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Emulator = $script:Session.Emulator
        $script:Chat = New-ClaudeConversation -System 'Be brief.'
        Invoke-ClaudePrompt 'Tell me about pears' -Conversation $script:Chat | Out-Null
    }

    AfterAll {
        Stop-ClaudeTestSession $script:Session
    }

    It 'writes JSON from the pipeline and writes nothing to the pipeline by default' {
        $path = Join-Path $TestDrive 'a.json'
        $out = $script:Chat | Export-ClaudeConversation -Path $path
        $out | Should -BeNullOrEmpty
        $json = Get-Content $path -Raw | ConvertFrom-Json
        $json | Should -Not -BeNullOrEmpty
        (Get-Content $path -Raw) | Should -Match 'pears'
        (Get-Content $path -Raw) | Should -Not -Match 'sk-ant-pester'
    }

    It '-PassThru writes the FileInfo; -Path binds by position' {
        $f = Export-ClaudeConversation (Join-Path $TestDrive 'b.json') -Conversation $script:Chat -PassThru
        $f | Should -BeOfType ([System.IO.FileInfo])
        $f.Length | Should -BeGreaterThan 0
    }

    It 'round-trips through Import-ClaudeConversation' {
        $path = Join-Path $TestDrive 'c.json'
        Export-ClaudeConversation -Path $path -Conversation $script:Chat
        $back = Import-ClaudeConversation -Path $path
        $back.Id | Should -Be $script:Chat.Id
        $back.System | Should -Be 'Be brief.'
        @($back.Messages).Count | Should -Be @($script:Chat.Messages).Count
        $back.Messages[1].Content[0].Text | Should -Be $script:Chat.Messages[1].Content[0].Text
    }

    It '-NoClobber refuses an existing file and leaves it as it was' {
        $path = Join-Path $TestDrive 'd.json'
        Set-Content $path 'keep me'
        { Export-ClaudeConversation -Path $path -Conversation $script:Chat -NoClobber -ErrorAction Stop } | Should -Throw
        Get-Content $path -Raw | Should -Match 'keep me'
    }

    It '-Force replaces a read-only file' {
        $path = Join-Path $TestDrive 'e.json'
        Set-Content $path 'old'
        (Get-Item $path).IsReadOnly = $true
        try {
            Export-ClaudeConversation -Path $path -Conversation $script:Chat -Force
            Get-Content $path -Raw | Should -Match 'pears'
        } finally { (Get-Item $path).IsReadOnly = $false }
    }

    It '-WhatIf writes no file; -Confirm:$false writes it' {
        $path = Join-Path $TestDrive 'f.json'
        Export-ClaudeConversation -Path $path -Conversation $script:Chat -WhatIf
        Test-Path $path | Should -BeFalse
        Export-ClaudeConversation -Path $path -Conversation $script:Chat -Confirm:$false
        Test-Path $path | Should -BeTrue
    }

    It 'requires a conversation' {
        { Export-ClaudeConversation -Path (Join-Path $TestDrive 'g.json') -Conversation $null } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}
