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

    It 'removing the default hands it to the most recent other connection, never leaving a working one unusable' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'other'
        (Get-ClaudeConnection | Where-Object IsDefault).Name | Should -Be 'other'
        $verbose = Disconnect-Claude -Name 'other' -Verbose 4>&1 | Out-String
        $verbose | Should -Match "default connection is now 'default'"
        (Get-ClaudeConnection | Where-Object IsDefault).Name | Should -Be 'default'
        (Invoke-ClaudePrompt -Prompt 'still connected?').Text | Should -Not -BeNullOrEmpty
    }

    It 'Disconnect-Claude without a name removes the default and promotes the newest remaining one' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'first'
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'second'
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'third'
        Disconnect-Claude
        @(Get-ClaudeConnection).Name | Should -Be @('first', 'second')
        (Get-ClaudeConnection | Where-Object IsDefault).Name | Should -Be 'second'
    }

    It 'Get-ClaudeConnection reports IsDefault per call without changing earlier objects' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'a'
        $before = Get-ClaudeConnection -Name 'a'
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'b'
        $before.IsDefault | Should -BeTrue
        (Get-ClaudeConnection -Name 'a').IsDefault | Should -BeFalse
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
