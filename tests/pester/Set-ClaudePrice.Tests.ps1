#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Set-ClaudePrice: overrides saved in a temp CLAUDEPS_HOME, derived cache prices, pipeline binding,
# aliases, -WhatIf, and the effect on the ledger's costs.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Set-ClaudePrice')
}

Describe 'Set-ClaudePrice' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Emulator = Start-ClaudeEmulator
        $script:Saved = Clear-ClaudeEnvironment
        $script:SavedHome = Use-TestClaudeHome
        Import-Module (Get-ModuleManifestPath) -Force
        $script:Prices = Join-Path (Get-TestClaudeHome) 'prices.json'
    }

    AfterAll {
        Disconnect-AllClaude
        Remove-TestClaudeHome $script:SavedHome
        Restore-ClaudeEnvironment $script:Saved
        Stop-ClaudeEmulator $script:Emulator
    }

    It 'saves a price and derives the cache prices (-Model by position, -PassThru)' {
        $p = Set-ClaudePrice claude-sonnet-4-5 -InputPerMTok 2 -OutputPerMTok 10 -PassThru -Confirm:$false
        $p | Should -BeOfType ([ClaudePS.ClaudePrice])
        $p.Family | Should -Be 'claude-sonnet-4-5'
        $p.CacheWrite5mPerMTok | Should -Be 2.5
        $p.CacheWrite1hPerMTok | Should -Be 4
        $p.CacheReadPerMTok | Should -Be 0.2
        $p.Origin | Should -Be 'user'
        Test-Path $script:Prices | Should -BeTrue
    }

    It 'writes nothing without -PassThru; explicit cache prices win; dated ids reduce to the family' {
        Set-ClaudePrice -Model claude-haiku-4-5-20251001 -InputPerMTok 1 -OutputPerMTok 5 -CacheWrite5mPerMTok 1.1 -CacheWrite1hPerMTok 1.9 -CacheReadPerMTok 0.09 -Confirm:$false |
            Should -BeNullOrEmpty
        $json = Get-Content $script:Prices -Raw
        $json | Should -Match 'claude-haiku-4-5'
        $json | Should -Match '1\.9'
    }

    It 'binds rows from a CSV by property name, Family and Aliases included' {
        $csv = Join-Path $TestDrive 'prices.csv'
        @(
            [pscustomobject]@{ Family = 'contoso-model-a'; InputPerMTok = 3; OutputPerMTok = 15; Aliases = 'contoso-a' }
            [pscustomobject]@{ Family = 'contoso-model-b'; InputPerMTok = 1; OutputPerMTok = 4; Aliases = 'contoso-b' }
        ) | Export-Csv $csv -NoTypeInformation
        $out = Import-Csv $csv | Set-ClaudePrice -PassThru -Confirm:$false
        @($out).Count | Should -Be 2
        $out[0].Aliases | Should -Contain 'contoso-a'
    }

    It '-WhatIf saves nothing' {
        $before = Get-Content $script:Prices -Raw
        Set-ClaudePrice -Model claude-opus-4-1 -InputPerMTok 99 -OutputPerMTok 99 -WhatIf
        Get-Content $script:Prices -Raw | Should -Be $before
    }

    It 'validates the prices' {
        { Set-ClaudePrice -Model x -InputPerMTok -1 -OutputPerMTok 1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { Set-ClaudePrice -Model '' -InputPerMTok 1 -OutputPerMTok 1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        # A price above 100,000 USD per million tokens is a typo (a misplaced zero or unit), never a real price.
        { Set-ClaudePrice -Model x -InputPerMTok 1000000 -OutputPerMTok 1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'prices later calls: a reply costs what the new table says' -Skip:(-not (Test-ClaudeCmdletExported 'Get-ClaudeUsage')) {
        Set-ClaudePrice -Model claude-sonnet-4-5 -InputPerMTok 100000 -OutputPerMTok 0 -Confirm:$false
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri
        $r = Invoke-ClaudePrompt 'price me' -Model claude-sonnet-4-5
        # 100,000 USD per million input tokens (the highest price the cmdlet takes): 0.1 USD per input token.
        $r.CostUsd | Should -Be ([decimal]$r.Usage.InputTokens * 0.1)
    }
}
