#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Get-ClaudeModel against the emulator's /v1/models: the whole list, exact ids and aliases, wildcards,
# pipeline input, the cache and -Refresh.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Get-ClaudeModel')
}

Describe 'Get-ClaudeModel' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Emulator = $script:Session.Emulator
    }

    AfterAll {
        Stop-ClaudeTestSession $script:Session
    }

    It 'lists every model across pages, as ClaudeModelInfo' {
        $all = Get-ClaudeModel
        # Exactly what the server lists (paging itself is covered by the engine's ModelCatalogTests).
        $served = Invoke-RestMethod "$($script:Session.Emulator.BaseUri)/v1/models?limit=1000" -Headers @{ 'x-api-key' = 'sk-ant-pester-0123456789'; 'anthropic-version' = '2023-06-01' }
        @($all).Count | Should -Be @($served.data).Count
        @($all).Count | Should -BeGreaterThan 1
        $all[0] | Should -BeOfType ([ClaudePS.ClaudeModelInfo])
        $all.Id | Should -Contain 'claude-haiku-4-5-20251001'
        ($all.Id | Select-Object -Unique).Count | Should -Be @($all).Count
    }

    It 'shows what the models API returns: capabilities, limits and lifecycle' {
        $m = Get-ClaudeModel 'claude-sonnet-5-5'
        $m.Lifecycle | Should -Be 'active'
        $m.MaxTokens | Should -Be 128000
        $m.MaxInputTokens | Should -Be 1000000
        $m.Capabilities | Should -BeOfType ([ClaudePS.ClaudeModelCapabilities])
        $m.Capabilities.EffortLevels | Should -Be @('low', 'medium', 'high', 'xhigh', 'max')
        $m.Capabilities.ThinkingTypes | Should -Contain 'adaptive'
        $m.Capabilities.ThinkingTypes | Should -Not -Contain 'enabled'
        $old = Get-ClaudeModel 'claude-sonnet-4-5'
        $old.Lifecycle | Should -Be 'deprecated'
        $old.RetiresAt.ToString('yyyy-MM-dd') | Should -Be '2026-11-30'
        $old.Capabilities.ThinkingTypes | Should -Contain 'enabled'
        $old.Capabilities.EffortLevels | Should -BeNullOrEmpty
        # Retired models are not listed.
        (Get-ClaudeModel).Id | Should -Not -Contain 'claude-sonnet-4-20250514'
    }

    It 'the table shows lifecycle, limits and capabilities at 80 columns' {
        $text = Get-ClaudeModel 'claude-sonnet-5-5', 'claude-sonnet-4-5' | Format-Table | Out-String -Width 80
        $text | Should -Match 'Lifecycle'
        $text | Should -Match 'Capabilities'
        $text | Should -Match 'claude-sonnet-5-5\s+active\s+1M\s+128K\s+thinking:adaptive'
        $text | Should -Match 'until 2026-11-30'
    }

    It 'gets one model by exact id or alias, by position' {
        (Get-ClaudeModel 'claude-haiku-4-5-20251001').Id | Should -Be 'claude-haiku-4-5-20251001'
        (Get-ClaudeModel -Id 'claude-haiku-4-5').Id | Should -BeLike 'claude-haiku-4-5*'
    }

    It 'filters with wildcards' {
        $haiku = Get-ClaudeModel -Id 'claude-haiku*'
        @($haiku).Count | Should -BeGreaterThan 0
        $haiku.Id | ForEach-Object { $_ | Should -BeLike 'claude-haiku*' }
    }

    It 'takes ids from the pipeline, as strings or by the Model property' {
        @('claude-opus-4-1', 'claude-sonnet-4-5') | Get-ClaudeModel | Should -HaveCount 2
        [pscustomobject]@{ Model = 'claude-opus-4-1' } | Get-ClaudeModel | Should -HaveCount 1
    }

    It 'an unknown exact id is a non-terminating ObjectNotFound error' {
        $r = 'claude-nope', 'claude-opus-4-1' | Get-ClaudeModel -ErrorVariable errs -ErrorAction SilentlyContinue
        @($r).Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It '-Refresh asks again and returns the same list' {
        (Get-ClaudeModel -Refresh).Id | Should -Be (Get-ClaudeModel).Id
    }

    It '-Connection picks a named connection; a missing one is NotConnected' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name other
        try {
            (Get-ClaudeModel -Connection other | Select-Object -First 1).Endpoint | Should -Match '127\.0\.0\.1'
        } finally { Disconnect-Claude -Name other }
        $err = { Get-ClaudeModel -Connection nope } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.NotConnected,*'
    }
}
