#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Invoke-ClaudeBatch -JsonSchema / -OutputType / per-row attachments against the emulator: typed columns
# for every row in input order, per-row failures, Export-Csv, -UseBatchApi, -WhatIf and a resume after kill.
# A reply that does not match the schema is produced legitimately: a row whose MaxTokens column is too
# small gets its JSON cut off at max_tokens.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Invoke-ClaudeBatch')
}

Describe 'Invoke-ClaudeBatch typed columns' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        $script:Schema = [ordered]@{
            type                 = 'object'
            properties           = [ordered]@{
                Category = @{ type = 'string'; enum = @('Billing', 'Outage', 'Other') }
                Priority = @{ type = 'integer' }
                Score    = @{ type = 'number' }
                Urgent   = @{ type = 'boolean' }
                Tags     = @{ type = 'array'; items = @{ type = 'string' } }
                Text     = @{ type = 'string' }
            }
            required             = @('Category', 'Priority', 'Score', 'Urgent', 'Tags', 'Text')
            additionalProperties = $false
        }
        $script:Tickets = 1..6 | ForEach-Object { [pscustomobject]@{ Id = "T$_"; Prompt = "Ticket $_ : the invoice total is wrong"; MaxTokens = '' } }
        $script:Tickets[3].MaxTokens = '5'   # cut off: its JSON does not parse, so that row fails
        $script:CsvIn = Join-Path $TestDrive 'tickets.csv'
        $script:Tickets | Export-Csv $script:CsvIn -NoTypeInformation
    }

    AfterAll {
        Stop-ClaudeTestSession $script:Session
    }

    It 'Import-Csv | -JsonSchema | Export-Csv: typed columns for every row, in order, failures per row' {
        $out = Import-Csv $script:CsvIn | Invoke-ClaudeBatch -JsonSchema $script:Schema -ErrorVariable errs -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 6
        $out.Id | Should -Be ($script:Tickets.Id)
        $names = @($out[0].PSObject.Properties.Name)
        # input columns, then the schema's fields (Text collides with ClaudePS's own: Claude_Text), then ClaudePS's own
        $names[0..2] | Should -Be @('Id', 'Prompt', 'MaxTokens')
        $names[3..8] | Should -Be @('Category', 'Priority', 'Score', 'Urgent', 'Tags', 'Claude_Text')
        $names[9..10] | Should -Be @('Text', 'Status')
        foreach ($row in $out | Where-Object Id -ne 'T4') {
            $row.Status | Should -Be 'Succeeded'
            $row.Category | Should -Be 'Billing'
            $row.Priority | Should -BeOfType [long]
            $row.Score | Should -BeOfType [double]
            $row.Urgent | Should -BeOfType [bool]
            $row.Tags | Should -BeOfType [string]
            ($row.Tags | ConvertFrom-Json).Count | Should -Be 2
            $row.Tags | Should -Not -Match '\s{2}|\n'
        }
        $bad = $out | Where-Object Id -eq 'T4'
        $bad.Status | Should -Be 'Failed'
        $bad.Error | Should -Match 'does not match -JsonSchema'
        $bad.Error | Should -Match 'max_tokens'
        $bad.Category | Should -BeNullOrEmpty
        $bad.Text | Should -Not -BeNullOrEmpty      # the raw reply is kept
        @($errs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.InvalidStructuredOutput,*'

        $csvOut = Join-Path $TestDrive 'typed.csv'
        $out | Export-Csv $csvOut -NoTypeInformation
        $back = Import-Csv $csvOut
        @($back).Count | Should -Be 6
        $back.Id | Should -Be ($script:Tickets.Id)
        $back[0].Category | Should -Be 'Billing'
        $back[0].Priority | Should -Be '1'
        $back[0].Urgent | Should -Be 'True'
        $back[3].Category | Should -Be ''
        $back[3].Status | Should -Be 'Failed'
        @((Get-Content $csvOut)).Count | Should -Be 7
    }

    It 'takes the schema as JSON text too' {
        $json = '{"type":"object","properties":{"Vendor":{"type":"string"},"Total":{"type":"number"}},"required":["Vendor","Total"]}'
        $out = 'one', 'two' | Invoke-ClaudeBatch -JsonSchema $json
        $out.Status | Should -Be @('Succeeded', 'Succeeded')
        $out[1].Vendor | Should -Match '^Vendor'
        $out[1].Total | Should -Be 1.5
    }

    It '-OutputType [SomeClass] gives columns typed as the class says' {
        if (-not ('PesterInvoice' -as [type])) {
            Add-Type -TypeDefinition @'
public enum PesterCurrency { EUR, USD }
public class PesterInvoice {
    public string Vendor { get; set; }
    public int Lines { get; set; }
    public decimal Total { get; set; }
    public bool Paid { get; set; }
    public PesterCurrency Currency { get; set; }
}
'@
        }
        $out = 1..3 | ForEach-Object { [pscustomobject]@{ Id = "I$_"; Prompt = "Invoice $_" } } | Invoke-ClaudeBatch -OutputType ([PesterInvoice])
        $out.Id | Should -Be @('I1', 'I2', 'I3')
        $out[2].Status | Should -Be 'Succeeded'
        $out[2].Lines | Should -BeOfType [int]
        $out[2].Total | Should -BeOfType [decimal]
        $out[2].Total | Should -Be 1.5
        $out[2].Paid | Should -BeTrue
        $out[2].Currency | Should -Be ([PesterCurrency]::EUR)
        @($out[2].PSObject.Properties.Name)[2..6] | Should -Be @('Vendor', 'Lines', 'Total', 'Paid', 'Currency')
    }

    It 'a schema without top-level properties is a terminating error naming what to do' {
        { 'x' | Invoke-ClaudeBatch -JsonSchema @{ type = 'string' } -ErrorAction Stop } | Should -Throw -ErrorId 'ClaudePS.InvalidSchema*'
        { 'x' | Invoke-ClaudeBatch -JsonSchema '{not json' -ErrorAction Stop } | Should -Throw -ErrorId 'ClaudePS.InvalidSchema*'
    }

    Context 'per-row attachments' {
        BeforeAll {
            $script:Png = Join-Path $TestDrive 'dot.png'
            [IO.File]::WriteAllBytes($script:Png, [Convert]::FromBase64String('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='))
            $script:Pdf = Join-Path $TestDrive 'invoice.pdf'
            Set-Content -Path $script:Pdf -NoNewline -Value "%PDF-1.4`n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj`ntrailer<</Root 1 0 R>>`n%%EOF"
            $script:InvoiceSchema = @{ type = 'object'; properties = [ordered]@{ Vendor = @{ type = 'string' }; Total = @{ type = 'number' } }; required = @('Vendor', 'Total') }
        }

        It 'sends each row''s files (Attachment column, relative paths, ";" lists) and fails a row whose file is missing before sending' {
            Push-Location $TestDrive
            try {
                $rows = @(
                    [pscustomobject]@{ Id = 'pdf'; Prompt = 'Extract the invoice fields.'; Attachment = 'invoice.pdf' }
                    [pscustomobject]@{ Id = 'both'; Prompt = 'Extract the invoice fields.'; Attachment = 'invoice.pdf; dot.png' }
                    [pscustomobject]@{ Id = 'none'; Prompt = 'Extract the invoice fields.'; Attachment = '' }
                    [pscustomobject]@{ Id = 'gone'; Prompt = 'Extract the invoice fields.'; Attachment = 'missing.pdf' }
                )
                $plain = $rows[2] | Invoke-ClaudeBatch -JsonSchema $script:InvoiceSchema
                $out = $rows | Invoke-ClaudeBatch -JsonSchema $script:InvoiceSchema -ErrorVariable errs -ErrorAction SilentlyContinue
            } finally { Pop-Location }
            $out.Id | Should -Be @('pdf', 'both', 'none', 'gone')
            $out[0..2].Status | Should -Be @('Succeeded', 'Succeeded', 'Succeeded')
            # the files were sent: their tokens are on the bill
            $out[0].InputTokens | Should -BeGreaterThan $plain.InputTokens
            $out[1].InputTokens | Should -BeGreaterThan $out[0].InputTokens
            $out[0].Total | Should -Be 1.5
            $out[3].Status | Should -Be 'Failed'
            $out[3].InputTokens | Should -Be 0
            $out[3].Error | Should -Match "Row gone: .*missing\.pdf' does not exist"
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.AttachmentNotFound,*'
        }

        It '-AttachmentColumn names the column; an array of paths works; an image alone is fine' {
            $rows = [pscustomobject]@{ Id = 'a'; Prompt = 'Describe.'; Scan = @($script:Png, $script:Pdf) },
                    [pscustomobject]@{ Id = 'b'; Prompt = 'Describe.'; Scan = $script:Png }
            $out = $rows | Invoke-ClaudeBatch -JsonSchema $script:InvoiceSchema -AttachmentColumn Scan
            $out.Status | Should -Be @('Succeeded', 'Succeeded')
            $out[0].InputTokens | Should -BeGreaterThan $out[1].InputTokens
            { [pscustomobject]@{ Prompt = 'x' } | Invoke-ClaudeBatch -AttachmentColumn Scan -ErrorAction Stop } | Should -Throw -ErrorId 'ClaudePS.BatchAttachmentColumnMissing*'
        }

        It '-WhatIf counts schema and attachment tokens in the estimate and sends nothing' {
            $row = [pscustomobject]@{ Prompt = 'Extract.'; Attachment = $script:Pdf }
            # "What if:" goes to the host, so read it back from a transcript.
            $estimate = {
                param([scriptblock] $run)
                $log = Join-Path $TestDrive ("whatif-" + [guid]::NewGuid() + '.txt')
                Start-Transcript -Path $log | Out-Null
                try { $sent = @(& $run) } finally { Stop-Transcript | Out-Null }
                $sent.Count | Should -Be 0
                [long](([regex]::Match((Get-Content $log -Raw), 'about ([\d,]+) input tokens')).Groups[1].Value -replace ',', '')
            }
            $plain = & $estimate { $row | Select-Object Prompt | Invoke-ClaudeBatch -WhatIf }
            $typed = & $estimate { $row | Invoke-ClaudeBatch -JsonSchema $script:InvoiceSchema -WhatIf }
            $plain | Should -BeGreaterThan 0
            $typed | Should -BeGreaterThan ($plain + 1000)   # a PDF page is about 1,500 tokens, plus the schema
        }
    }

    It '-UseBatchApi joins typed rows back by row, at the batch price' {
        $out = Import-Csv $script:CsvIn | Invoke-ClaudeBatch -JsonSchema $script:Schema -UseBatchApi -PollIntervalSec 1 -ErrorAction SilentlyContinue
        $out.Id | Should -Be ($script:Tickets.Id)
        ($out | Where-Object Status -eq 'Succeeded').Count | Should -Be 5
        $out[0].BatchId | Should -Not -BeNullOrEmpty
        $out[0].Priority | Should -BeOfType [long]
        $out[3].Status | Should -Be 'Failed'
        $out[3].Error | Should -Match 'does not match -JsonSchema'
    }

    It '-AsCompleted and -MaxCostUsd keep the typed columns' {
        $out = Import-Csv $script:CsvIn | Invoke-ClaudeBatch -JsonSchema $script:Schema -AsCompleted -MaxCostUsd 5 -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 6
        ($out | Where-Object Id -eq 'T6').Category | Should -Be 'Billing'
    }
}

Describe 'Invoke-ClaudeBatch typed columns: resume after a kill' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Saved = Clear-ClaudeEnvironment
        # A slow emulator (300 ms a reply) so the child is still working when it is killed.
        $script:Emulator = Start-ClaudeEmulator -ExtraArgs @('--latency-ms', '300')
        Import-Module (Get-ModuleManifestPath) -Force -Global
        Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri
        $script:Pwsh = Get-PwshCommand
    }

    AfterAll {
        Disconnect-AllClaude
        Restore-ClaudeEnvironment $script:Saved
        Stop-ClaudeEmulator $script:Emulator
    }

    It 'a killed run resumes from its checkpoint with the typed columns of every row' {
        $csv = Join-Path $TestDrive 'rows.csv'
        1..30 | ForEach-Object { [pscustomobject]@{ Id = "R$_"; Prompt = "Row $_ about billing" } } | Export-Csv $csv -NoTypeInformation
        $checkpoint = Join-Path $TestDrive 'typed.ckpt.jsonl'
        $schemaJson = '{"type":"object","properties":{"Category":{"type":"string"},"Priority":{"type":"integer"}},"required":["Category","Priority"]}'
        $script = Join-Path $TestDrive 'child.ps1'
        Set-Content $script @"
Import-Module '$(Get-ModuleManifestPath)'
Connect-Claude -ApiKey (ConvertTo-SecureString 'sk-ant-pester-0123456789' -AsPlainText -Force) -BaseUri '$($script:Emulator.BaseUri)'
Import-Csv '$csv' | Invoke-ClaudeBatch -JsonSchema '$schemaJson' -CheckpointPath '$checkpoint' -ThrottleLimit 2 | Out-Null
"@
        $child = Start-Process -FilePath $script:Pwsh[0] -ArgumentList (@($script:Pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $script)) -PassThru
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ([DateTime]::UtcNow -lt $deadline -and -not $child.HasExited) {
                if ((Test-Path $checkpoint) -and @(Get-Content $checkpoint).Count -ge 4) { break }
                Start-Sleep -Milliseconds 100
            }
            $child.HasExited | Should -BeFalse -Because 'the child must be killed mid-run'
        } finally {
            Stop-Process -Id $child.Id -Force -ErrorAction SilentlyContinue
            $child.WaitForExit(10000) | Out-Null
        }
        # Whole records only: the first line is the checkpoint's header, and a kill can cut the last line.
        $done = @(Get-Content $checkpoint | Where-Object {
            $_ -and $_ -notmatch '"format":"ClaudePS.BatchCheckpoint"' -and (Test-Json -Json $_ -ErrorAction SilentlyContinue)
        }).Count
        $done | Should -BeLessThan 30

        $verbose = $null
        $out = Import-Csv $csv | Invoke-ClaudeBatch -JsonSchema $schemaJson -CheckpointPath $checkpoint -ThrottleLimit 8 -Verbose 4>&1 |
            Tee-Object -Variable all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $verbose = ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -Match "holds $done finished row"
        @($out).Count | Should -Be 30
        $out.Id | Should -Be (1..30 | ForEach-Object { "R$_" })
        foreach ($row in $out) {
            $row.Status | Should -Be 'Succeeded'
            $row.Category | Should -Match '^Category'
            $row.Priority | Should -BeOfType [long]
        }
    }
}
