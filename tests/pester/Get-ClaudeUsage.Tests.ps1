#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Get-ClaudeUsage against a fresh ledger (a temp CLAUDEPS_HOME) filled through the emulator: both
# parameter sets (Ledger, Organization), grouping, tags, the range and the summary.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Get-ClaudeUsage')
}

Describe 'Get-ClaudeUsage' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Emulator = Start-ClaudeEmulator
        $script:Saved = Clear-ClaudeEnvironment
        $script:SavedHome = Use-TestClaudeHome
        Import-Module (Get-ModuleManifestPath) -Force
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Tag 'pester-usage'
        $script:Sonnet = 1..3 | ForEach-Object { Invoke-ClaudePrompt "usage sonnet $_" -Model claude-sonnet-4-5 }
        $script:Haiku = 1..2 | ForEach-Object { Invoke-ClaudePrompt "usage haiku $_" -Model claude-haiku-4-5 -Tag 'pester-haiku' }
    }

    AfterAll {
        Disconnect-AllClaude
        Remove-TestClaudeHome $script:SavedHome
        Restore-ClaudeEnvironment $script:Saved
        Stop-ClaudeEmulator $script:Emulator
    }

    Context 'Ledger' {
        It '-Summary totals today''s calls and their tokens' {
            $s = Get-ClaudeUsage -Summary
            $s | Should -BeOfType ([ClaudePS.ClaudeUsageReport])
            $s.Requests | Should -Be 5
            $s.InputTokens | Should -Be (($script:Sonnet + $script:Haiku).Usage.InputTokens | Measure-Object -Sum).Sum
            $s.OutputTokens | Should -Be (($script:Sonnet + $script:Haiku).Usage.OutputTokens | Measure-Object -Sum).Sum
            $s.CostUsd | Should -BeGreaterThan 0
        }

        It '-GroupBy Model writes one row per model' {
            $rows = Get-ClaudeUsage -GroupBy Model
            ($rows | Where-Object Model -like 'claude-sonnet-4-5*').Requests | Should -Be 3
            ($rows | Where-Object Model -like 'claude-haiku-4-5*').Requests | Should -Be 2
        }

        It '-GroupBy takes several keys and rejects unknown ones' {
            $rows = Get-ClaudeUsage -GroupBy Model, Day
            $rows | ForEach-Object { $_.Day | Should -Not -BeNullOrEmpty; $_.Model | Should -Not -BeNullOrEmpty }
            Get-ClaudeUsage -GroupBy Hour, Endpoint | Should -Not -BeNullOrEmpty
            { Get-ClaudeUsage -GroupBy Weekday } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It '-Tag counts only tagged calls (connection tags and call tags)' {
            (Get-ClaudeUsage -Tag 'pester-haiku' -Summary).Requests | Should -Be 2
            (Get-ClaudeUsage -Tag 'pester-usage' -Summary).Requests | Should -Be 5
            (Get-ClaudeUsage -GroupBy Tag | Where-Object Tag -eq 'pester-haiku').Requests | Should -Be 2
        }

        It '-Since and -Until (by position) bound the range' {
            (Get-ClaudeUsage (Get-Date).AddDays(-2) (Get-Date).AddDays(-1) -Summary).Requests | Should -Be 0
            (Get-ClaudeUsage -Since (Get-Date).AddHours(-1) -Until (Get-Date).AddMinutes(1) -Summary).Requests | Should -Be 5
        }

        It '-Until before -Since is an error' {
            $err = { Get-ClaudeUsage -Since (Get-Date) -Until (Get-Date).AddDays(-1) } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.InvalidArgument,*'
        }

        It '-Source Ledger is the default and explicit' {
            (Get-ClaudeUsage -Source Ledger -Summary).Requests | Should -Be (Get-ClaudeUsage -Summary).Requests
        }

        It 'a connection made with -NoLedger adds nothing' {
            Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name quiet -NoLedger
            try {
                Invoke-ClaudePrompt 'not recorded' -Connection quiet | Out-Null
                (Get-ClaudeUsage -Summary).Requests | Should -Be 5
            } finally { Disconnect-Claude -Name quiet }
        }

        It 'the ledger holds no prompt, reply or key' {
            $text = Get-ChildItem (Join-Path (Get-TestClaudeHome) 'ledger') -Recurse -File | Get-Content -Raw
            $text | Should -Not -Match 'usage sonnet'
            $text | Should -Not -Match 'sk-ant-pester'
        }
    }

    Context 'Organization' {
        It 'compares the ledger with the Admin API report per day and model' {
            $admin = ConvertTo-SecureString 'sk-ant-admin01-pester' -AsPlainText -Force
            $rows = Get-ClaudeUsage -Source Organization -AdminKey $admin -BaseUri $script:Emulator.BaseUri
            $rows | Should -Not -BeNullOrEmpty
            $rows[0] | Should -BeOfType ([ClaudePS.ClaudeUsageComparison])
            ($rows | Measure-Object LedgerRequests -Sum).Sum | Should -Be 5
            ($rows | Measure-Object OrganizationInputTokens -Sum).Sum | Should -BeGreaterOrEqual ($rows | Measure-Object LedgerInputTokens -Sum).Sum
        }

        It 'needs an admin key: a normal key is refused without echoing it' {
            $err = { Get-ClaudeUsage -Source Organization -AdminKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -ErrorAction Stop } | Should -Throw -PassThru
            $err.Exception.Message | Should -Not -Match 'sk-ant-pester'
        }

        It '-Source Organization without -AdminKey does not bind' {
            (Get-Command Get-ClaudeUsage).Parameters['AdminKey'].ParameterSets['Organization'].IsMandatory | Should -BeTrue
            # The suite runs -NonInteractive (build.ps1 makes sure), so a missing mandatory value is an error, never a prompt.
            { Get-ClaudeUsage -Source Organization -BaseUri $script:Emulator.BaseUri -ErrorAction Stop } |
                Should -Throw -ErrorId 'MissingMandatoryParameter*'
        }

        It 'reads the report through the default connection''s -Proxy' {
            # The emulator doubles as the proxy (it answers absolute-form requests by path); the API host does
            # not resolve, so rows can only come through the proxy. All traffic stays on 127.0.0.1.
            Connect-Claude -ApiKey (New-TestKey) -Name 'behind-proxy' -BaseUri 'http://usage-api.invalid' -AllowUnencryptedConnection -Proxy $script:Emulator.BaseUri
            try {
                $admin = ConvertTo-SecureString 'sk-ant-admin01-pester' -AsPlainText -Force
                $rows = Get-ClaudeUsage -Source Organization -AdminKey $admin
                ($rows | Measure-Object LedgerRequests -Sum).Sum | Should -Be 5
                ($rows | Measure-Object OrganizationInputTokens -Sum).Sum | Should -BeGreaterThan 0
            }
            finally {
                Disconnect-Claude -Name 'behind-proxy'
            }
        }
    }
}

Describe 'Get-ClaudeUsage on a damaged ledger' -Skip:$missing {
    BeforeEach {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        Invoke-ClaudePrompt 'damaged ledger one' | Out-Null
        Invoke-ClaudePrompt 'damaged ledger two' | Out-Null
        $script:LedgerFile = (Get-ChildItem (Join-Path (Get-TestClaudeHome) 'ledger') -Filter 'usage-*.jsonl').FullName
        $script:Lines = [System.IO.File]::ReadAllLines($script:LedgerFile)
    }

    AfterEach { Stop-ClaudeTestSession $script:Session }

    It 'a record cut by a crash next to a duplicate request id is skipped with a warning naming the file and line' {
        # Another process repeated line 1's request id, was cut mid-record, and later appends went on.
        $torn = $script:Lines[0].Substring(0, $script:Lines[0].Length - 15)
        [System.IO.File]::AppendAllText($script:LedgerFile, "$torn`n$($script:Lines[0])`n")
        $s = Get-ClaudeUsage -Summary -WarningVariable warn -WarningAction SilentlyContinue
        $s.Requests | Should -Be 2
        $warn.Count | Should -Be 1
        "$($warn[0])" | Should -BeLike "*$($script:LedgerFile)*line 3*"
    }

    It 'a damaged line with an escaped request id is skipped, not fatal' {
        $escaped = '{"time":"' + (Get-Date).ToUniversalTime().ToString('o') + '","requestId":"req_\u0061","model":7}'
        [System.IO.File]::AppendAllText($script:LedgerFile, "$escaped`n$($script:Lines[1])`n")
        $s = Get-ClaudeUsage -Summary -WarningVariable warn -WarningAction SilentlyContinue
        $s.Requests | Should -Be 2
        "$($warn[0])" | Should -BeLike '*line 3*'
    }

    It 'totals past what a number can hold are a named error that says so' {
        $huge = $script:Lines[0] -replace '"costUsd":[0-9.eE+-]+', '"costUsd":70000000000000000000000000000' -replace '"requestId":"[^"]+"', '"requestId":"req_huge_1"'
        $huge2 = $huge -replace 'req_huge_1', 'req_huge_2'
        [System.IO.File]::AppendAllText($script:LedgerFile, "$huge`n$huge2`n")
        $err = { Get-ClaudeUsage -Summary -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.UsageTotalOutOfRange,*'
        $err.Exception.Message | Should -BeLike '*cannot be represented*'
    }
}
