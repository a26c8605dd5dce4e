#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# The default views at 80 columns (a default console, a runbook log): each shows what its user needs and
# no line is wider than 80.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Session = Start-ClaudeTestSession
    $script:BaseUri = $script:Session.Emulator.BaseUri

    function Format-At80 {
        param([Parameter(ValueFromPipeline)] $InputObject)
        begin { $items = [System.Collections.Generic.List[object]]::new() }
        process { $items.Add($InputObject) }
        end {
            $text = $items | Out-String -Width 80
            foreach ($line in $text -split "`r?`n") { $line.Length | Should -BeLessOrEqual 80 -Because "'$line' is wider than 80 columns" }
            $text
        }
    }
}

AfterAll {
    Stop-ClaudeTestSession $script:Session
}

Describe 'default views at 80 columns' {
    It 'a response shows model, stop reason, tokens, cost and the start of the text' {
        $r = Invoke-ClaudePrompt 'Say hello to the operators.'
        $text = $r | Format-At80
        $text | Should -Match 'CostUsd'
        $text | Should -Match ([regex]::Escape(('{0:0.######}' -f $r.CostUsd)))
        $text | Should -Match 'end_turn'
        $text | Should -Match "\b$($r.Usage.OutputTokens)\b"
        $text | Should -Match ([regex]::Escape($r.Text.Substring(0, 12)))
    }

    It 'a connection shows its whole endpoint, port included' {
        $text = Get-ClaudeConnection | Format-At80
        $text | Should -Match ([regex]::Escape($script:BaseUri))
        $text | Should -Match 'ApiKey'
        $text | Should -Match '-ApiKey'
    }

    Context 'usage' {
        BeforeAll {
            $script:Responses = 'usage one', 'usage two' | Invoke-ClaudePrompt
            $script:Output = ($script:Responses | Measure-Object -Property { $_.Usage.OutputTokens } -Sum).Sum
        }

        It 'without -GroupBy shows one row per model with requests, output tokens and cost' {
            $rows = Get-ClaudeUsage
            @($rows).Count | Should -Be 1
            $rows.Model | Should -Not -BeNullOrEmpty
            $text = $rows | Format-At80
            $text | Should -Match ([regex]::Escape($rows.Model))
            $text | Should -Match ([regex]::Escape(('{0:N0}' -f $rows.OutputTokens)))
            $text | Should -Match ([regex]::Escape(('{0:0.####}' -f $rows.CostUsd)))
        }

        It '-GroupBy Model, Day shows both keys and the figures' {
            $rows = Get-ClaudeUsage -GroupBy Model, Day
            $text = $rows | Format-At80
            $text | Should -Match ([regex]::Escape($rows[0].Day.ToString('yyyy-MM-dd')))
            $text | Should -Match ([regex]::Escape($rows[0].Model))
            $text | Should -Match ([regex]::Escape(('{0:N0}' -f $rows[0].OutputTokens)))
        }

        It '-GroupBy Endpoint shows the endpoint' {
            $text = Get-ClaudeUsage -GroupBy Endpoint | Format-At80
            $text | Should -Match ([regex]::Escape($script:BaseUri))
        }

        It '-Summary shows the total' {
            $total = Get-ClaudeUsage -Summary
            $text = $total | Format-At80
            $text | Should -Match '\(all\)'
            $text | Should -Match ([regex]::Escape(('{0:N0}' -f $total.OutputTokens)))
        }
    }

    It 'a metric shows its name, value and labels' {
        Invoke-ClaudePrompt 'Count me.' | Out-Null
        $metrics = @(Get-ClaudeMetrics claudeps_requests_total, claudeps_request_duration_seconds_bucket)
        $text = $metrics | Format-At80
        $text | Should -Match ('claudeps_requests_total\s+' + [regex]::Escape($metrics[0].Value) + '\s+model=')
        $text | Should -Match 'claudeps_request_duration_seconds_bucket'
        $text | Should -Match '(?m)^\s+status=200\s*$'
    }

    It 'a batch row shows its id, status, tokens and cost' {
        $rows = [pscustomobject]@{ Id = 'T-1'; Prompt = 'Classify: printer offline' } | Invoke-ClaudeBatch
        $text = $rows | Format-At80
        $text | Should -Match 'T-1'
        $text | Should -Match 'Succeeded'
        $text | Should -Match ([regex]::Escape(('{0:0.######}' -f $rows.CostUsd)))
    }

    It 'a batch row with typed columns shows the answer as Field=value, and a failed row its error' {
        $schema = [ordered]@{
            type = 'object'; additionalProperties = $false; required = 'Category', 'Priority'
            properties = [ordered]@{ Category = @{ type = 'string'; enum = 'Hardware', 'Network' }; Priority = @{ type = 'integer' } }
        }
        $rows = @(
            [pscustomobject]@{ Id = 'T-1'; Prompt = 'Classify: printer offline' }
            [pscustomobject]@{ Id = 'T-2'; Prompt = '' }
        ) | Invoke-ClaudeBatch -JsonSchema $schema -ErrorAction SilentlyContinue
        $rows[0].PSObject.TypeNames | Should -Contain 'ClaudePS.ClaudeBatchResult#TypedRow'
        $text = $rows | Format-At80
        $text | Should -Match "T-1\s+Succeeded\s+[0-9.]+\s+Category=$($rows[0].Category) Priority=$($rows[0].Priority)"
        $text | Should -Match "T-2\s+Failed"
        $text | Should -Not -Match '\{"Category"'
    }
}
