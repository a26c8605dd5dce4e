#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Stop-ClaudeBatch against the emulator: cancels running batches; -WhatIf and -Confirm.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Stop-ClaudeBatch')
}

Describe 'Stop-ClaudeBatch' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Emulator = $script:Session.Emulator
        # Large enough (about 10 s at the emulator's 5 ms per request) to still be running when cancelled.
        function script:New-SlowBatch { Invoke-ClaudeBatch -Prompt (1..2000 | ForEach-Object { "stop me $_" }) -UseBatchApi -NoWait }
    }

    AfterAll {
        Stop-ClaudeTestSession $script:Session
    }

    It 'cancels a running batch by id (position); it ends with canceled requests' {
        $h = New-SlowBatch
        $after = Stop-ClaudeBatch $h.Id -Confirm:$false
        $after | Should -BeOfType ([ClaudePS.ClaudeBatchInfo])
        $after.ProcessingStatus | Should -BeIn @('canceling', 'ended')
        $done = Wait-ClaudeBatch -Id $h.Id -PollIntervalSec 1
        $done.Canceled | Should -BeGreaterThan 0
    }

    It '-WhatIf cancels nothing' {
        $h = New-SlowBatch
        try {
            Stop-ClaudeBatch -Id $h.Id -WhatIf | Should -BeNullOrEmpty
            (Get-ClaudeBatch -Id $h.Id).ProcessingStatus | Should -Be 'in_progress'
        } finally { Stop-ClaudeBatch -Id $h.Id -Confirm:$false | Out-Null }
    }

    It 'binds Id and BatchId from the pipeline' {
        $h = New-SlowBatch
        ([pscustomobject]@{ BatchId = $h.Id } | Stop-ClaudeBatch -Confirm:$false).Id | Should -Be $h.Id
    }

    It 'an unknown id is a non-terminating error; -Connection picks a connection' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name other
        try {
            $r = Stop-ClaudeBatch -Id 'msgbatch_doesnotexist' -Connection other -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        } finally { Disconnect-Claude -Name other }
    }
}
