#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Invoke-ClaudeBatch against the emulator: both parameter sets (rows, -Prompt), one output row per input
# row with the input's columns, templates, per-row columns, ordering, checkpoints, budgets, -WhatIf, and
# the Message Batches API (-UseBatchApi, -NoWait).

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Invoke-ClaudeBatch')
}

Describe 'Invoke-ClaudeBatch' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Emulator = $script:Session.Emulator
        $script:Csv = Join-Path (Get-RepoRoot) 'samples/prompts.csv'
        $script:Rows = Import-Csv $script:Csv
    }

    AfterAll {
        Stop-ClaudeTestSession $script:Session
    }

    Context 'rows (the Rows set)' {
        It 'writes one row per CSV row, in order, with the input columns first' {
            $out = $script:Rows | Invoke-ClaudeBatch
            @($out).Count | Should -Be $script:Rows.Count
            $out.Id | Should -Be $script:Rows.Id
            $out[0].Category | Should -Be $script:Rows[0].Category
            $out | ForEach-Object { $_.Status | Should -Be 'Succeeded' }
            $out[0].Text | Should -Not -BeNullOrEmpty
            $out[0].OutputTokens | Should -BeGreaterThan 0
            $out[0].RequestId | Should -Not -BeNullOrEmpty
            $out[0].PSObject.TypeNames | Should -Contain 'ClaudePS.ClaudeBatchResult#Row'
            @($out[0].PSObject.Properties.Name)[0] | Should -Be 'Id'
        }

        It 'exports to CSV with one line per input line' {
            $path = Join-Path $TestDrive 'out.csv'
            $script:Rows | Invoke-ClaudeBatch | Export-Csv $path -NoTypeInformation
            @(Import-Csv $path).Count | Should -Be $script:Rows.Count
        }

        It 'takes piped strings and hashtables' {
            @('alpha', 'beta') | Invoke-ClaudeBatch | Should -HaveCount 2
            @{ Prompt = 'from a hashtable'; Id = 'h1' } | Invoke-ClaudeBatch | Select-Object -ExpandProperty Id | Should -Be 'h1'
        }

        It 'uses the MaxTokens column of a row over -MaxTokens' {
            $out = [pscustomobject]@{ Prompt = 'Write a long story about a lighthouse keeper.'; MaxTokens = 1 } | Invoke-ClaudeBatch -MaxTokens 500
            $out.OutputTokens | Should -Be 1
        }

        It 'a row without a prompt fails on its own, as a non-terminating error' {
            $out = [pscustomobject]@{ Id = 'x'; Other = 1 }, [pscustomobject]@{ Id = 'y'; Prompt = 'fine' } |
                Invoke-ClaudeBatch -ErrorVariable errs -ErrorAction SilentlyContinue
            @($out).Count | Should -Be 2
            ($out | Where-Object Id -eq 'x').Status | Should -Be 'Failed'
            ($out | Where-Object Id -eq 'y').Status | Should -Be 'Succeeded'
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.BatchNoPrompt,*'
        }
    }

    Context 'prompts (the Prompt set)' {
        It 'sends each -Prompt once, by position' {
            $out = Invoke-ClaudeBatch 'first prompt', 'second prompt'
            @($out).Count | Should -Be 2
            $out | ForEach-Object { $_.Status | Should -Be 'Succeeded' }
        }
    }

    Context 'request parameters' {
        It '-PromptTemplate fills {{Column}} from each row; a missing column fails that row' {
            $out = $script:Rows | Select-Object -First 2 | Invoke-ClaudeBatch -PromptTemplate 'As {{Category}}: {{Prompt}}'
            $out | ForEach-Object { $_.Status | Should -Be 'Succeeded' }
            $bad = [pscustomobject]@{ Id = 'm'; Prompt = 'x' } | Invoke-ClaudeBatch -PromptTemplate '{{Nope}}' -ErrorVariable errs -ErrorAction SilentlyContinue
            $bad.Status | Should -Be 'Failed'
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.BatchTemplateColumnMissing,*'
        }

        It '-System, -Model, -MaxTokens and -Effort apply to every row' {
            $out = 'a', 'b' | Invoke-ClaudeBatch -System 'Be brief.' -Model claude-sonnet-4-6 -MaxTokens 2 -Effort low
            $out | ForEach-Object {
                $_.Model | Should -BeLike 'claude-sonnet-4-6*'
                $_.OutputTokens | Should -BeLessOrEqual 2
            }
        }

        It '-Effort reaches every row: low effort answers shorter than max' {
            $low = 'Explain tides and harbours', 'Describe glaciers' | Invoke-ClaudeBatch -Model claude-sonnet-5-5 -Effort low
            $max = 'Explain tides and harbours', 'Describe glaciers' | Invoke-ClaudeBatch -Model claude-sonnet-5-5 -Effort max
            0..1 | ForEach-Object { $low[$_].OutputTokens | Should -BeLessThan $max[$_].OutputTokens }
        }

        It 'a CSV whose rows the model would all reject fails once, before any row is sent' {
            $csv = Join-Path ([System.IO.Path]::GetTempPath()) ("claudeps-reject-" + [guid]::NewGuid().ToString('N') + '.csv')
            1..200 | ForEach-Object { [pscustomobject]@{ Id = "r$_"; Prompt = "question $_" } } | Export-Csv $csv -NoTypeInformation
            try {
                function Sent { [double](Get-ClaudeMetrics -Name 'claudeps_requests_total' | Measure-Object Value -Sum).Sum }
                $before = Sent
                $err = { Import-Csv $csv | Invoke-ClaudeBatch -Model claude-sonnet-5-5 -Temperature 0.2 } | Should -Throw -PassThru
                $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.UnsupportedParameter,*'
                $err.Exception.Message | Should -Match '-Temperature'
                $err.Exception.Message | Should -Match 'claude-sonnet-5-5'
                # Per-row columns the model rejects end the run at the first such row, also with nothing sent.
                $rows = 1..50 | ForEach-Object { [pscustomobject]@{ Prompt = "q $_"; Model = 'claude-sonnet-5-5'; Effort = 'max'; Temperature = '0.5' } }
                $err2 = { $rows | Invoke-ClaudeBatch } | Should -Throw -PassThru
                $err2.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.UnsupportedParameter,*'
                Sent | Should -Be $before
                $null = 'one that may go' | Invoke-ClaudeBatch -Model claude-sonnet-5-5
                Sent | Should -BeGreaterThan $before   # the counter is live: the zero above is real
            } finally { Remove-Item $csv -ErrorAction SilentlyContinue }
        }

        It 'validates -MaxTokens, -Temperature and -ThrottleLimit before sending' {
            { 'x' | Invoke-ClaudeBatch -MaxTokens 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            { 'x' | Invoke-ClaudeBatch -Temperature 2 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            { 'x' | Invoke-ClaudeBatch -Effort extreme } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            { 'x' | Invoke-ClaudeBatch -ThrottleLimit 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It '-Connection picks a named connection' {
            Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name other -DefaultModel claude-haiku-4-5
            try {
                ('x' | Invoke-ClaudeBatch -Connection other).Model | Should -BeLike 'claude-haiku-4-5*'
            } finally {
                # The newest connection is the default: restore the session's, or the later tests run unconnected.
                Disconnect-Claude -Name other
                Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri
            }
        }
    }

    Context 'concurrency and order' {
        It '-ThrottleLimit above the connection''s in-flight limit warns with the limit and how to raise it' {
            $out = 'a', 'b' | Invoke-ClaudeBatch -ThrottleLimit 64 -WarningVariable warns -WarningAction SilentlyContinue
            @($out).Count | Should -Be 2
            ($warns -join ' ') | Should -Match 'limit of 32 requests in flight'
            ($warns -join ' ') | Should -Match 'Connect-Claude -MaxConcurrency 64'
            'c' | Invoke-ClaudeBatch -ThrottleLimit 8 -WarningVariable quiet -WarningAction SilentlyContinue | Out-Null
            ($quiet -join ' ') | Should -Not -Match 'in flight'
        }

        It '-ThrottleLimit with a small -ReorderBufferSize still keeps input order' {
            $prompts = 1..24 | ForEach-Object { [pscustomobject]@{ Id = "$_"; Prompt = "prompt number $_" } }
            $out = $prompts | Invoke-ClaudeBatch -ThrottleLimit 6 -ReorderBufferSize 2 -TotalCount 24
            $out.Id | Should -Be $prompts.Id
        }

        It '-AsCompleted writes every row exactly once' {
            $prompts = 1..12 | ForEach-Object { [pscustomobject]@{ Id = "$_"; Prompt = "prompt number $_" } }
            $out = $prompts | Invoke-ClaudeBatch -ThrottleLimit 4 -AsCompleted
            ($out.Id | Sort-Object { [int]$_ }) | Should -Be $prompts.Id
        }
    }

    Context 'checkpoints and budgets' {
        It '-CheckpointPath: a rerun sends only what is missing and still writes every row' {
            $ckpt = Join-Path $TestDrive 'run.ckpt.jsonl'
            $first = $script:Rows | Invoke-ClaudeBatch -CheckpointPath $ckpt
            $lines = @(Get-Content $ckpt).Count
            $lines | Should -BeGreaterOrEqual $script:Rows.Count
            $second = $script:Rows | Invoke-ClaudeBatch -CheckpointPath $ckpt
            $second.Text | Should -Be $first.Text
            @(Get-Content $ckpt).Count | Should -Be $lines   # nothing new was finished, so nothing was sent
        }

        It '-MaxCostUsd skips rows whose worst-case cost would pass the cap' {
            $out = 'a', 'b' | Invoke-ClaudeBatch -MaxCostUsd 0.000001 -ErrorVariable errs -ErrorAction SilentlyContinue
            $out | ForEach-Object { $_.Status | Should -Be 'Skipped' }
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.BudgetExceeded,*'
        }

        It '-MaxCostUsd: rows waiting for their turn hold no reservation, so 20 short rows all fit a 0.05 USD cap' {
            # Issue 19: 17 of these rows were Skipped after 0.0028 USD, because queued rows kept their worst cases.
            $out = 1..20 | ForEach-Object { "short row $_" } |
                Invoke-ClaudeBatch -MaxCostUsd 0.05 -MaxTokens 1000 -ThrottleLimit 1 -ErrorVariable errs -ErrorAction SilentlyContinue
            @($out).Count | Should -Be 20
            @($out | Where-Object Status -ne 'Succeeded') | Should -BeNullOrEmpty
            $errs | Should -BeNullOrEmpty
            ($out | Measure-Object -Property CostUsd -Sum).Sum | Should -BeLessOrEqual 0.05
        }

        It '-MaxCostUsd skips a row only when what was spent plus its worst case passes the cap, and says what was not sent' {
            # Sonnet 4.5 at 1000 output tokens: each row may cost up to about 0.015 USD, and really costs far less.
            $out = 1..5 | ForEach-Object { [pscustomobject]@{ Id = "b$_"; Prompt = "budget row $_" } } |
                Invoke-ClaudeBatch -Model claude-sonnet-4-5 -MaxCostUsd 0.0155 -MaxTokens 1000 -ThrottleLimit 2 -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue
            $sent = @($out | Where-Object Status -eq 'Succeeded')
            $skipped = @($out | Where-Object Status -eq 'Skipped')
            $sent.Count | Should -Be 1   # after one real row, another worst case no longer fits
            $skipped.Count | Should -Be 4
            $skipped | ForEach-Object { $_.Error | Should -Match 'was not sent' }
            # Which of two concurrent rows goes first is a race; the warning lists the skipped ones in input order.
            ($warns -join ' ') | Should -Match ([regex]::Escape("4 row(s) were not sent: $($skipped.Id -join ', ')."))
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.BudgetExceeded,*'
        }

        It '-Tag reaches the usage ledger' -Skip:(-not (Test-ClaudeCmdletExported 'Get-ClaudeUsage')) {
            'tagged one', 'tagged two' | Invoke-ClaudeBatch -Tag 'pester-batch' | Out-Null
            (Get-ClaudeUsage -Tag 'pester-batch' -Summary).Requests | Should -Be 2
        }
    }

    Context 'WhatIf and Confirm' {
        It '-WhatIf estimates and sends nothing' {
            $out = $script:Rows | Invoke-ClaudeBatch -WhatIf 6>&1
            @($out | Where-Object { $_.PSObject.TypeNames -contains 'ClaudePS.ClaudeBatchResult#Row' }).Count | Should -Be 0
        }

        It '-Confirm:$false runs without asking' {
            'x' | Invoke-ClaudeBatch -Confirm:$false | Should -HaveCount 1
        }
    }

    Context 'Message Batches API' {
        It '-UseBatchApi returns the same row shape with batch ids' {
            $out = $script:Rows | Invoke-ClaudeBatch -UseBatchApi -PollIntervalSec 1
            @($out).Count | Should -Be $script:Rows.Count
            $out.Id | Should -Be $script:Rows.Id
            $out[0].BatchId | Should -BeLike 'msgbatch_*'
            $out[0].CustomId | Should -Not -BeNullOrEmpty
            $out | ForEach-Object { $_.Status | Should -Be 'Succeeded' }
        }

        It '-NoWait returns batch handles at once' {
            $handles = $script:Rows | Invoke-ClaudeBatch -UseBatchApi -NoWait
            $handles | Should -Not -BeNullOrEmpty
            $handles[0] | Should -BeOfType ([ClaudePS.ClaudeBatchInfo])
            $handles[0].Id | Should -BeLike 'msgbatch_*'
        }

        It '-NoWait without -UseBatchApi is an error' {
            $err = { 'x' | Invoke-ClaudeBatch -NoWait } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.InvalidArgument,*'
        }
    }
}

Describe 'Invoke-ClaudeBatch -CheckpointPath under everyday accidents' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Rows = 1..3 | ForEach-Object { [pscustomobject]@{ Id = "r$_"; Prompt = "accident row $_" } }
        $script:Sent = { (Get-ClaudeUsage -Summary).Requests }
    }

    AfterAll { Stop-ClaudeTestSession $script:Session }

    It 'the input CSV given as -CheckpointPath is refused and left byte for byte' {
        $csv = Join-Path $TestDrive 'prompts.csv'
        [System.IO.File]::WriteAllText($csv, "Id,Prompt`nr1,hello`nr2,no newline at the end")
        $bytes = [System.IO.File]::ReadAllBytes($csv)
        $before = & $script:Sent
        $err = { Import-Csv $csv | Invoke-ClaudeBatch -CheckpointPath $csv } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.NotACheckpoint,*'
        $err.Exception.Message | Should -BeLike "*$csv*"
        [System.IO.File]::ReadAllBytes($csv) | Should -Be $bytes
        & $script:Sent | Should -Be $before
    }

    It 'a checkpoint another run holds is ClaudePS.BatchCheckpointInUse, and nothing is sent' {
        $ckpt = Join-Path $TestDrive 'busy.ckpt'
        # Hold the lock as a running batch does (FileShare.None: flock on Linux and macOS).
        $held = [System.IO.File]::Open("$ckpt.lock", 'OpenOrCreate', 'ReadWrite', 'None')
        try {
            $before = & $script:Sent
            $err = { $script:Rows | Invoke-ClaudeBatch -CheckpointPath $ckpt } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.BatchCheckpointInUse,*'
            $err.Exception.Message | Should -BeLike "*$ckpt*"
            & $script:Sent | Should -Be $before
        } finally { $held.Dispose() }
        # Released: the same command now runs, and a rerun replays every row.
        @($script:Rows | Invoke-ClaudeBatch -CheckpointPath $ckpt).Count | Should -Be 3
        $sent = & $script:Sent
        @($script:Rows | Invoke-ClaudeBatch -CheckpointPath $ckpt).Count | Should -Be 3
        & $script:Sent | Should -Be $sent   # every row replayed from the checkpoint
    }

    It 'a folder as -CheckpointPath is a named error with the path and what to do' {
        $folder = Join-Path $TestDrive 'a-folder'
        New-Item -ItemType Directory $folder | Out-Null
        $err = { $script:Rows | Invoke-ClaudeBatch -CheckpointPath $folder } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.BatchCheckpointUnavailable,*'
        $err.Exception.Message | Should -BeLike "*$folder*folder*"
    }
}
