#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Get-ClaudeMetrics after calls to the emulator: samples by name and wildcard, counts that follow the calls.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Get-ClaudeMetrics')
}

Describe 'Get-ClaudeMetrics' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Emulator = $script:Session.Emulator
        function script:Sum($name) { (Get-ClaudeMetrics -Name $name | Measure-Object Value -Sum).Sum }
    }

    AfterAll {
        Stop-ClaudeTestSession $script:Session
    }

    It 'counts requests and tokens of the calls made' {
        $before = Sum 'claudeps_requests_total'
        $r = 1..3 | ForEach-Object { Invoke-ClaudePrompt "metrics $_" }
        (Sum 'claudeps_requests_total') - $before | Should -Be 3
        $m = Get-ClaudeMetrics -Name 'claudeps_tokens_total'
        $m[0] | Should -BeOfType ([ClaudePS.ClaudeMetric])
        $m[0].Labels.Keys | Should -Contain 'model'
    }

    It 'filters by wildcard (-Name by position) and writes everything without -Name' {
        $hist = Get-ClaudeMetrics 'claudeps_request_duration*'
        $hist | ForEach-Object { $_.Name | Should -BeLike 'claudeps_request_duration*' }
        @(Get-ClaudeMetrics).Count | Should -BeGreaterThan @($hist).Count
    }

    It 'holds no secrets' {
        (Get-ClaudeMetrics | Out-String) | Should -Not -Match 'sk-ant-pester'
    }
}
