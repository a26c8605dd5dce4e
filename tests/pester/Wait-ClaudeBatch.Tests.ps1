#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Wait-ClaudeBatch against the emulator: waits until batches end, from ids or piped handles; -TimeoutSec.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Wait-ClaudeBatch')
}

Describe 'Wait-ClaudeBatch' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Emulator = $script:Session.Emulator
    }

    AfterAll {
        Stop-ClaudeTestSession $script:Session
    }

    It 'waits for a batch by id (position) and writes its ended status' {
        $h = 1..5 | ForEach-Object { "wait prompt $_" } | Invoke-ClaudeBatch -UseBatchApi -NoWait
        $done = Wait-ClaudeBatch $h.Id -PollIntervalSec 1
        $done | Should -BeOfType ([ClaudePS.ClaudeBatchInfo])
        $done.IsEnded | Should -BeTrue
        $done.Succeeded | Should -Be 5
    }

    It 'takes handles from the pipeline' {
        $handles = 1..2 | ForEach-Object { Invoke-ClaudeBatch -Prompt "piped $_" -UseBatchApi -NoWait }
        $done = $handles | Wait-ClaudeBatch -PollIntervalSec 1
        @($done).Count | Should -Be 2
        $done | ForEach-Object { $_.ProcessingStatus | Should -Be 'ended' }
    }

    It '-TimeoutSec gives up with an error while a batch is still processing' {
        # 2000 requests at the emulator's default 5 ms each take about 10 s.
        $h = Invoke-ClaudeBatch -Prompt (1..2000 | ForEach-Object { "slow $_" }) -UseBatchApi -NoWait
        try {
            { Wait-ClaudeBatch -Id $h.Id -TimeoutSec 1 -PollIntervalSec 1 -ErrorAction Stop } | Should -Throw
        } finally {
            Stop-ClaudeBatch -Id $h.Id -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
        }
    }

    It 'validates -PollIntervalSec and -TimeoutSec' {
        { Wait-ClaudeBatch -Id 'msgbatch_x' -PollIntervalSec 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { Wait-ClaudeBatch -Id 'msgbatch_x' -TimeoutSec 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It '-Connection picks a named connection' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name other
        try {
            $h = Invoke-ClaudeBatch -Prompt 'on other' -UseBatchApi -NoWait -Connection other
            (Wait-ClaudeBatch -Id $h.Id -Connection other -PollIntervalSec 1).IsEnded | Should -BeTrue
        } finally { Disconnect-Claude -Name other }
    }
}
