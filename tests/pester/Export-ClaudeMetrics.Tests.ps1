#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Export-ClaudeMetrics: the Prometheus text file, replaced in one step; -PassThru, -WhatIf, write errors.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Export-ClaudeMetrics')
}

Describe 'Export-ClaudeMetrics' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Emulator = $script:Session.Emulator
        Invoke-ClaudePrompt 'metrics export' | Out-Null
    }

    AfterAll {
        Stop-ClaudeTestSession $script:Session
    }

    It 'writes the Prometheus text format (-Path by position), nothing to the pipeline' {
        $path = Join-Path $TestDrive 'claudeps.prom'
        Export-ClaudeMetrics $path -Confirm:$false | Should -BeNullOrEmpty
        $text = Get-Content $path -Raw
        $text | Should -Match '(?m)^# HELP claudeps_requests_total '
        $text | Should -Match '(?m)^# TYPE claudeps_requests_total counter'
        $text | Should -Match '(?m)^claudeps_tokens_total\{.*model="claude-'
        $text | Should -Not -Match 'sk-ant-pester'
    }

    It '-PassThru writes the FileInfo and replaces an existing file' {
        $path = Join-Path $TestDrive 'again.prom'
        Set-Content $path 'old content'
        $f = Export-ClaudeMetrics -Path $path -PassThru -Confirm:$false
        $f | Should -BeOfType ([System.IO.FileInfo])
        Get-Content $path -Raw | Should -Not -Match 'old content'
        Get-ChildItem $TestDrive -Filter '*.tmp' | Should -BeNullOrEmpty
    }

    It '-WhatIf writes nothing' {
        $path = Join-Path $TestDrive 'whatif.prom'
        Export-ClaudeMetrics -Path $path -WhatIf
        Test-Path $path | Should -BeFalse
    }

    It 'a folder that does not exist is a clear terminating error' {
        $err = { Export-ClaudeMetrics -Path (Join-Path $TestDrive 'no/such/folder/x.prom') -Confirm:$false } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.MetricsWriteFailed,*'
    }
}
