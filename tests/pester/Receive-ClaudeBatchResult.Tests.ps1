#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Receive-ClaudeBatchResult against the emulator: results joined back to the submitted rows (same order,
# template and model), standalone results by id or piped handle.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Receive-ClaudeBatchResult')
}

Describe 'Receive-ClaudeBatchResult' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Emulator = $script:Session.Emulator
        $script:Rows = Import-Csv (Join-Path (Get-RepoRoot) 'samples/prompts.csv')
        $script:Template = 'As {{Category}}: {{Prompt}}'
        $script:Handles = $script:Rows | Invoke-ClaudeBatch -PromptTemplate $script:Template -Model claude-haiku-4-5 -UseBatchApi -NoWait
        $script:Handles | Wait-ClaudeBatch -PollIntervalSec 1 | Out-Null
    }

    AfterAll {
        Stop-ClaudeTestSession $script:Session
    }

    It 'joins results back to the piped rows: one row each, columns kept, in order' {
        $out = $script:Rows | Receive-ClaudeBatchResult -Id $script:Handles.Id -PromptTemplate $script:Template -Model claude-haiku-4-5 -Tag 'pester-receive'
        @($out).Count | Should -Be $script:Rows.Count
        $out.Id | Should -Be $script:Rows.Id
        $out[0].Category | Should -Be $script:Rows[0].Category
        $out | ForEach-Object { $_.Status | Should -Be 'Succeeded'; $_.BatchId | Should -BeLike 'msgbatch_*' }
        $out[0].PSObject.TypeNames | Should -Contain 'ClaudePS.ClaudeBatchResult#Row'
    }

    It 'writes each result on its own without rows (-Id by position)' {
        $out = Receive-ClaudeBatchResult $script:Handles.Id
        @($out).Count | Should -Be $script:Rows.Count
        $out | ForEach-Object { $_.CustomId | Should -Not -BeNullOrEmpty }
    }

    It 'takes batch handles from the pipeline' {
        $out = $script:Handles | Receive-ClaudeBatchResult
        @($out).Count | Should -Be $script:Rows.Count
    }

    It 'a row''s own Id column is never taken for a batch id' {
        $rows = $script:Rows | Select-Object -First 1
        { $rows | Receive-ClaudeBatchResult -ErrorAction Stop } | Should -Throw
    }

    It '-JsonSchema gives the typed columns back, joined to the rows or on their own' {
        $schema = [ordered]@{
            type = 'object'; additionalProperties = $false; required = 'Team', 'Priority'
            properties = [ordered]@{ Team = @{ type = 'string' }; Priority = @{ type = 'integer' } }
        }
        $handles = $script:Rows | Invoke-ClaudeBatch -PromptTemplate $script:Template -JsonSchema $schema -UseBatchApi -NoWait
        $handles | Wait-ClaudeBatch -PollIntervalSec 1 | Out-Null

        $out = $script:Rows | Receive-ClaudeBatchResult -Id $handles.Id -PromptTemplate $script:Template -JsonSchema $schema
        @($out).Count | Should -Be $script:Rows.Count
        $out.Id | Should -Be $script:Rows.Id
        $out | ForEach-Object { $_.Status | Should -Be 'Succeeded'; $_.Priority | Should -BeOfType [long]; $_.Team | Should -Not -BeNullOrEmpty }
        $out[0].PSObject.TypeNames | Should -Contain 'ClaudePS.ClaudeBatchResult#TypedRow'
        ($out | Out-String -Width 80) | Should -Match 'Team=.+ Priority=\d+'

        $alone = Receive-ClaudeBatchResult -Id $handles.Id -JsonSchema $schema
        @($alone).Count | Should -Be $script:Rows.Count
        $alone | ForEach-Object { $_.Priority | Should -BeOfType [long] }
    }

    It '-Connection picks a named connection' {
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name other
        try { Receive-ClaudeBatchResult -Id $script:Handles.Id -Connection other | Should -HaveCount $script:Rows.Count }
        finally { Disconnect-Claude -Name other }
    }
}
