#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Get-ClaudeBatch against the emulator's Message Batches endpoints: the List and Id sets.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Get-ClaudeBatch')
}

Describe 'Get-ClaudeBatch' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Emulator = $script:Session.Emulator
        $script:Handles = 1..3 | ForEach-Object { Invoke-ClaudeBatch -Prompt "batch $_ prompt" -UseBatchApi -NoWait }
    }

    AfterAll {
        Stop-ClaudeTestSession $script:Session
    }

    It 'lists recent batches newest first (List set)' {
        $list = Get-ClaudeBatch
        @($list).Count | Should -BeGreaterOrEqual 3
        $list[0] | Should -BeOfType ([ClaudePS.ClaudeBatchInfo])
        $list[0].Id | Should -Be $script:Handles[-1].Id
    }

    It '-First limits the list' {
        Get-ClaudeBatch -First 2 | Should -HaveCount 2
        { Get-ClaudeBatch -First 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'gets batches by id, by position (Id set)' {
        $b = Get-ClaudeBatch $script:Handles[0].Id
        $b.Id | Should -Be $script:Handles[0].Id
        $b.Total | Should -Be 1
        Get-ClaudeBatch -Id $script:Handles.Id | Should -HaveCount 3
    }

    It 'binds Id and BatchId from piped objects' {
        $script:Handles | Get-ClaudeBatch | Should -HaveCount 3
        [pscustomobject]@{ BatchId = $script:Handles[1].Id } | Get-ClaudeBatch | Select-Object -ExpandProperty Id | Should -Be $script:Handles[1].Id
    }

    It 'an unknown id is a non-terminating ObjectNotFound error' {
        $r = Get-ClaudeBatch -Id 'msgbatch_doesnotexist', $script:Handles[0].Id -ErrorVariable errs -ErrorAction SilentlyContinue
        @($r).Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It '-Connection picks a named connection' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name other
        try { Get-ClaudeBatch -First 1 -Connection other | Should -HaveCount 1 } finally { Disconnect-Claude -Name other }
    }
}
