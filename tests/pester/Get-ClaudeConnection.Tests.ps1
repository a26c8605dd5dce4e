#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Emulator = Start-ClaudeEmulator
    $script:Saved = Clear-ClaudeEnvironment
    Import-Module (Get-ModuleManifestPath) -Force
}

AfterAll {
    Disconnect-AllClaude
    Restore-ClaudeEnvironment $script:Saved
    Stop-ClaudeEmulator $script:Emulator
}

Describe 'Get-ClaudeConnection' {
    BeforeEach { Disconnect-AllClaude }

    It 'returns nothing when not connected' {
        Get-ClaudeConnection | Should -BeNullOrEmpty
    }

    It 'lists every connection and marks the default' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'first'
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'second'
        $all = @(Get-ClaudeConnection)
        $all.Name | Should -Be @('first', 'second')
        ($all | Where-Object IsDefault).Name | Should -Be 'second'
        $all | ForEach-Object { $_ | Should -BeOfType ([ClaudePS.ClaudeConnectionInfo]) }
    }

    It 'filters by -Name with wildcards, positionally too' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'prod-eu'
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'test'
        (Get-ClaudeConnection -Name 'prod*').Name | Should -Be 'prod-eu'
        (Get-ClaudeConnection 'TEST').Name | Should -Be 'test'
        Get-ClaudeConnection -Name 'nothing*' | Should -BeNullOrEmpty
    }

    It 'never shows the secret, in any format' {
        Connect-Claude -ApiKey (New-TestKey 'sk-ant-canary-get-0123456789') -BaseUri $script:Emulator.BaseUri
        $c = Get-ClaudeConnection
        ($c | Format-Table | Out-String) | Should -Not -Match 'canary'
        ($c | Format-List * | Out-String) | Should -Not -Match 'canary'
        ($c | ConvertTo-Json -Depth 5) | Should -Not -Match 'canary'
        "$c" | Should -Not -Match 'canary'
    }

    It 'uses the table view from the format file' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri
        $table = Get-ClaudeConnection | Out-String
        $table | Should -Match 'AuthKind'
        $table | Should -Match 'CredentialSource'
        $table | Should -Match ([regex]::Escape($script:Emulator.BaseUri))
    }
}
