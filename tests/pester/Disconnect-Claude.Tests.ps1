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

Describe 'Disconnect-Claude' {
    BeforeEach { Disconnect-AllClaude }

    It 'removes the default connection, after which prompts fail as not connected' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri
        Disconnect-Claude
        Get-ClaudeConnection | Should -BeNullOrEmpty
        $err = { Invoke-ClaudePrompt -Prompt 'hi' } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.NotConnected,*'
    }

    It 'removes a named connection and keeps the others' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'a'
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'b'
        Disconnect-Claude -Name 'a'
        (Get-ClaudeConnection).Name | Should -Be 'b'
    }

    It 'takes connections from the pipeline by property name' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'x'
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'y'
        Get-ClaudeConnection | Disconnect-Claude
        Get-ClaudeConnection | Should -BeNullOrEmpty
    }

    It 'is quiet when there is nothing to remove, and says so in verbose' {
        { Disconnect-Claude -ErrorAction Stop } | Should -Not -Throw
        (Disconnect-Claude -Name 'missing' -Verbose 4>&1 | Out-String) | Should -Match 'missing'
    }

    It 'writes no output' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri
        Disconnect-Claude | Should -BeNullOrEmpty
    }
}
