#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Invoke-ClaudePrompt against the emulator: input shapes, output, streaming, raw, errors, completion.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Emulator = Start-ClaudeEmulator
    $script:Saved = Clear-ClaudeEnvironment
    Import-Module (Get-ModuleManifestPath) -Force
    Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri
}

AfterAll {
    Disconnect-AllClaude
    Restore-ClaudeEnvironment $script:Saved
    Stop-ClaudeEmulator $script:Emulator
}

Describe 'Invoke-ClaudePrompt' {
    Context 'output' {
        It 'returns one ClaudeResponse with text, usage and ids' {
            $r = Invoke-ClaudePrompt -Prompt 'Say hello'
            @($r).Count | Should -Be 1
            $r | Should -BeOfType ([ClaudePS.ClaudeResponse])
            $r.Text | Should -Not -BeNullOrEmpty
            $r.Model | Should -Not -BeNullOrEmpty
            $r.StopReason | Should -Be 'end_turn'
            $r.Usage.InputTokens | Should -BeGreaterThan 0
            $r.Usage.OutputTokens | Should -BeGreaterThan 0
            $r.RequestId | Should -Not -BeNullOrEmpty
            $r.Duration | Should -BeGreaterThan ([TimeSpan]::Zero)
        }

        It 'is deterministic for the same request' {
            (Invoke-ClaudePrompt 'same input').Text | Should -Be (Invoke-ClaudePrompt 'same input').Text
        }

        It 'formats as a table with the usage columns' {
            $table = Invoke-ClaudePrompt 'format me' | Out-String
            $table | Should -Match 'StopReason'
            $table | Should -Match 'Model'
        }

        It 'declares its output type' {
            (Get-Command Invoke-ClaudePrompt).OutputType.Type | Should -Contain ([ClaudePS.ClaudeResponse])
        }
    }

    Context 'pipeline input' {
        It 'sends one request per piped string, in order' {
            $r = 'one', 'two', 'three' | Invoke-ClaudePrompt
            @($r).Count | Should -Be 3
            $r.Input | Should -Be @('one', 'two', 'three')
        }

        It 'takes CSV rows by the Prompt property and echoes the row as Input' {
            $rows = Import-Csv (Join-Path (Get-RepoRoot) 'samples/prompts.csv')
            $r = $rows | Invoke-ClaudePrompt
            @($r).Count | Should -Be $rows.Count
            $r[0].Input.Id | Should -Be '1'
            $r[4].Input.Id | Should -Be '5'
        }

        It 'takes a Text property through the alias' {
            $r = [pscustomobject]@{ Text = 'via alias' } | Invoke-ClaudePrompt
            $r.Input.Text | Should -Be 'via alias'
        }

        It 'binds MaxTokens from a row property' {
            $r = [pscustomobject]@{ Prompt = 'Write a long story about a lighthouse keeper.'; MaxTokens = 1 } | Invoke-ClaudePrompt
            $r.StopReason | Should -Be 'max_tokens'
            $r.Usage.OutputTokens | Should -Be 1
        }

        It 'reports an object without a prompt as a non-terminating error and goes on' {
            $r = [pscustomobject]@{ Other = 1 }, 'fine' | Invoke-ClaudePrompt -ErrorVariable errs -ErrorAction SilentlyContinue
            @($r).Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.NoPrompt,*'
            $errs[0].TargetObject.Other | Should -Be 1
        }
    }

    Context 'parameters' {
        It '-Stream shows text on the host and still writes exactly one object' {
            $all = Invoke-ClaudePrompt -Prompt 'Stream this' -Stream 6>&1
            $responses = @($all | Where-Object { $_ -is [ClaudePS.ClaudeResponse] })
            $responses.Count | Should -Be 1
            $shown = -join ($all | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$($_.MessageData)" })
            $shown.Trim() | Should -Be $responses[0].Text.Trim()
            $responses[0].TimeToFirstToken | Should -Not -BeNullOrEmpty
        }

        It '-Stream in a runbook-like host (information discarded) loses nothing from the pipeline' {
            $r = Invoke-ClaudePrompt -Prompt 'Stream quietly' -Stream -InformationAction Ignore
            $r.Text | Should -Be (Invoke-ClaudePrompt -Prompt 'Stream quietly').Text
        }

        It '-Raw returns the API JSON as an object' {
            $raw = Invoke-ClaudePrompt -Prompt 'raw please' -Raw
            $raw.type | Should -Be 'message'
            $raw.role | Should -Be 'assistant'
            $raw.content[0].type | Should -Be 'text'
            $raw.usage.input_tokens | Should -BeGreaterThan 0
        }

        It '-System, -Temperature and -Model are sent on a connection pinned to API version 2023-06-01' {
            Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name legacy -AnthropicVersion 2023-06-01
            try {
                (Get-ClaudeConnection -Name legacy).AnthropicVersion | Should -Be '2023-06-01'
                # The emulator rejects temperature under 2026-10-21: a reply proves the pinned header went out.
                $r = Invoke-ClaudePrompt -Prompt 'hi' -System 'Be brief.' -Temperature 0.2 -Model 'claude-haiku-4-5' -Connection legacy
                $r.Model | Should -BeLike 'claude-haiku-4-5*'
            } finally {
                Disconnect-Claude -Name legacy
                Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri
            }
        }

        It 'on the default API version -Temperature fails before sending, naming the parameter, the model and the fix' {
            (Get-ClaudeConnection).AnthropicVersion | Should -Be '2026-10-21'
            $r = 'a', 'b' | Invoke-ClaudePrompt -Temperature 0.2 -Model 'claude-sonnet-4-6' -ErrorVariable errs -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $errs.Count | Should -Be 2
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.UnsupportedParameter,*'
            $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $errs[0].Exception.Message | Should -Match '-Temperature'
            $errs[0].Exception.Message | Should -Match 'claude-sonnet-4-6'
            $errs[0].Exception.Message | Should -Match '-AnthropicVersion 2023-06-01'
            $errs[0].TargetObject | Should -Be 'a'
        }

        It '-Effort is sent as output_config.effort: lower effort gives a shorter reply' {
            $low = Invoke-ClaudePrompt 'Explain tides and harbours' -Model claude-sonnet-5-5 -Effort low
            $max = Invoke-ClaudePrompt 'Explain tides and harbours' -Model claude-sonnet-5-5 -Effort max
            $low.Usage.OutputTokens | Should -BeLessThan $max.Usage.OutputTokens
            { Invoke-ClaudePrompt 'x' -Effort extreme } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It '-Effort a model does not take is refused before sending' {
            $r = Invoke-ClaudePrompt 'x' -Model claude-opus-4-6 -Effort xhigh -ErrorVariable errs -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.UnsupportedParameter,*'
            $errs[0].Exception.Message | Should -Match '-Effort low, medium, high, max'
        }

        It 'Connect-Claude -Effort is the default for prompts that name none' {
            Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name quick -Effort low
            try {
                (Get-ClaudeConnection -Name quick).DefaultEffort | Should -Be 'low'
                $quick = Invoke-ClaudePrompt 'Explain tides and harbours' -Model claude-sonnet-5-5 -Connection quick
                $full = Invoke-ClaudePrompt 'Explain tides and harbours' -Model claude-sonnet-5-5 -Connection quick -Effort high
                $quick.Usage.OutputTokens | Should -BeLessThan $full.Usage.OutputTokens
                # A model that takes no effort is sent none rather than failed.
                (Invoke-ClaudePrompt 'hi' -Model claude-haiku-4-5 -Connection quick).Text | Should -Not -BeNullOrEmpty
            } finally {
                Disconnect-Claude -Name quick
                Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri
            }
        }

        It 'a conversation carries its -Effort to every turn' {
            $conv = New-ClaudeConversation -Model claude-sonnet-5-5 -Effort low
            $conv.Effort | Should -Be 'low'
            $t1 = Invoke-ClaudePrompt 'Explain tides and harbours' -Conversation $conv
            $t1.Usage.OutputTokens | Should -BeLessThan (Invoke-ClaudePrompt 'Explain tides and harbours' -Model claude-sonnet-5-5).Usage.OutputTokens
        }

        It 'a deprecated model warns once' {
            $null = 'a', 'b' | Invoke-ClaudePrompt -Model claude-opus-4-5 -WarningVariable warns -WarningAction SilentlyContinue
            @($warns).Count | Should -Be 1
            "$($warns[0])" | Should -Match 'claude-opus-4-5-20251101 is deprecated and retires on 2027-01-22'
        }

        It '-StopSequence stops the reply at the sequence' {
            $full = (Invoke-ClaudePrompt -Prompt 'Count words please').Text
            $stop = ($full -split '\s+' | Where-Object { $_ } | Select-Object -Skip 2 -First 1)
            $r = Invoke-ClaudePrompt -Prompt 'Count words please' -StopSequence $stop
            $r.StopReason | Should -Be 'stop_sequence'
            $r.StopSequence | Should -Be $stop
        }

        It '-MaxTokens is validated before anything is sent' {
            { Invoke-ClaudePrompt -Prompt 'x' -MaxTokens 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            { Invoke-ClaudePrompt -Prompt 'x' -MaxTokens 128001 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It '-Connection picks a named connection' {
            Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'other' -DefaultModel 'claude-haiku-4-5'
            try {
                (Invoke-ClaudePrompt -Prompt 'hi' -Connection 'other').Model | Should -BeLike 'claude-haiku-4-5*'
                $err = { Invoke-ClaudePrompt -Prompt 'hi' -Connection 'nope' } | Should -Throw -PassThru
                $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.NotConnected,*'
            } finally {
                Disconnect-Claude -Name 'other'
                Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri
            }
        }

        It 'completes -Model from the known models' {
            $line = 'Invoke-ClaudePrompt -Model claude-son'
            $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
            $completions | Should -Contain 'claude-sonnet-4-5'
            $completions | ForEach-Object { $_ | Should -BeLike 'claude-son*' }
        }
    }

    Context 'prompt features (structured output, attachments, conversations, caching, thinking, WhatIf)' {
        BeforeAll {
            $script:Params = (Get-Command Invoke-ClaudePrompt).Parameters
            function script:Need([string] $name) { if (-not $script:Params.ContainsKey($name)) { Set-ItResult -Skipped -Because "-$name is not in this build" } }
            $script:Png = Join-Path $TestDrive 'dot.png'
            [IO.File]::WriteAllBytes($script:Png, [Convert]::FromBase64String('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='))
        }

        It '-JsonSchema (a hashtable) puts the parsed reply on .Data' {
            Need JsonSchema
            $schema = @{ type = 'object'; properties = @{ category = @{ type = 'string' }; priority = @{ type = 'integer' } }; required = @('category', 'priority') }
            $r = Invoke-ClaudePrompt 'Classify: the printer is on fire' -JsonSchema $schema
            $r.Data.category | Should -BeOfType ([string])
            $r.Data.priority | Should -Not -BeNullOrEmpty
        }

        It '-JsonSchema as JSON text works too' {
            Need JsonSchema
            $r = Invoke-ClaudePrompt 'Give a name' -JsonSchema '{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}'
            $r.Data.name | Should -Not -BeNullOrEmpty
        }

        It '-OutputType deserialises into the type; combining it with -JsonSchema is an error' {
            Need OutputType
            if (-not ('PesterVersionInfo' -as [type])) {
                Add-Type -TypeDefinition 'public class PesterVersionInfo { public string Product { get; set; } public int Major { get; set; } public bool Preview { get; set; } }'
            }
            $r = Invoke-ClaudePrompt 'Version info' -OutputType ([PesterVersionInfo])
            $r.Data | Should -BeOfType ([PesterVersionInfo])
            $r.Data.Product | Should -Not -BeNullOrEmpty
            { Invoke-ClaudePrompt 'x' -OutputType ([PesterVersionInfo]) -JsonSchema '{}' -ErrorAction Stop } | Should -Throw
        }

        It '-OutputType refuses a type without a fixed shape, before sending' {
            Need OutputType
            $err = { Invoke-ClaudePrompt 'x' -OutputType ([System.Collections.Generic.Dictionary[string, string]]) -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.*'
            $err.Exception.Message | Should -Match 'no fixed shape'
        }

        It '-Attachment sends an image (more input tokens); a missing file fails before sending' {
            Need Attachment
            $plain = Invoke-ClaudePrompt 'Describe it'
            $with = Invoke-ClaudePrompt 'Describe it' -Attachment $script:Png
            # Total input: a long-enough image gets an automatic cache breakpoint, so part of it is a cache write.
            $with.Usage.TotalInputTokens | Should -BeGreaterThan $plain.Usage.TotalInputTokens
            $r = Invoke-ClaudePrompt 'x' -Attachment (Join-Path $TestDrive 'nope.png') -ErrorVariable errs -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $errs[0].Exception.Message | Should -Match 'nope\.png'
        }

        It '-Conversation appends each turn' {
            Need Conversation
            $c = New-ClaudeConversation
            Invoke-ClaudePrompt 'turn one' -Conversation $c | Out-Null
            Invoke-ClaudePrompt 'turn two' -Conversation $c | Out-Null
            @($c.Messages).Count | Should -Be 4
        }

        It '-CacheSystemPrompt writes the cache once and reads it after; -CacheTtl 1h; -NoAutoCache' {
            Need CacheSystemPrompt
            $system = 'You are a careful reviewer. ' * 400
            $first = Invoke-ClaudePrompt 'first' -System $system -CacheSystemPrompt -CacheTtl 1h
            $second = Invoke-ClaudePrompt 'second' -System $system -CacheSystemPrompt -CacheTtl 1h
            ($first.Usage.CacheWriteTokens + $first.Usage.CacheWrite1hTokens) | Should -BeGreaterThan 0
            $second.Usage.CacheReadTokens | Should -BeGreaterThan 0
            (Invoke-ClaudePrompt 'third' -System ('Another long prompt. ' * 400) -NoAutoCache).Usage.CacheReadTokens | Should -Be 0
            { Invoke-ClaudePrompt 'x' -CacheTtl 2h } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It '-ThinkingBudget and -AdaptiveThinking put thinking on .Thinking, never in .Text' {
            Need ThinkingBudget
            $r = Invoke-ClaudePrompt 'Think about primes' -ThinkingBudget 1024 -MaxTokens 4000 -Model claude-sonnet-4-6
            $r.Thinking | Should -Not -BeNullOrEmpty
            $r.Text | Should -Not -Match ([regex]::Escape($r.Thinking))
            (Invoke-ClaudePrompt 'Think adaptively' -AdaptiveThinking -MaxTokens 4000).Thinking | Should -Not -BeNullOrEmpty
            { Invoke-ClaudePrompt 'x' -ThinkingBudget 10 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It '-ThinkingBudget on a model that takes only adaptive thinking is a clear error before sending' {
            $r = Invoke-ClaudePrompt 'x' -ThinkingBudget 2048 -Model claude-sonnet-5-5 -ErrorVariable errs -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.UnsupportedParameter,*'
            $errs[0].Exception.Message | Should -Match '-ThinkingBudget'
            $errs[0].Exception.Message | Should -Match 'claude-sonnet-5-5'
            $errs[0].Exception.Message | Should -Match '-AdaptiveThinking'
        }

        It '-Redact International redacts national ids outside the US that Standard leaves; Strict includes them' {
            # The emulator's thinking names the prompt's words, so an id in the prompt comes back in .Thinking.
            $prompt = 'Check codice fiscale RSSMRA85T10A562S and NRIC S1234567D tonight'
            $standard = Invoke-ClaudePrompt $prompt -AdaptiveThinking -MaxTokens 4000 -Redact Standard
            $standard.Thinking | Should -Match 'RSSMRA85T10A562S'
            foreach ($profile in 'International', 'Strict') {
                $r = Invoke-ClaudePrompt $prompt -AdaptiveThinking -MaxTokens 4000 -Redact $profile
                $r.Thinking | Should -Not -Match 'RSSMRA85T10A562S|S1234567D'
                $r.Thinking | Should -Match ([regex]::Escape('[REDACTED:ItFiscalCode]'))
                $r.Thinking | Should -Match ([regex]::Escape('[REDACTED:SgNric]'))
                $r.Redactions['ItFiscalCode'] | Should -BeGreaterThan 0
            }
            (Get-Command Invoke-ClaudePrompt).Parameters['Redact'].Attributes.ValidValues | Should -Contain 'International'
            (Get-Command Invoke-ClaudeBatch).Parameters['Redact'].Attributes.ValidValues | Should -Contain 'International'
            { Invoke-ClaudePrompt 'x' -Redact Global } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It '-WhatIf sends nothing; -Confirm:$false sends' {
            Need WhatIf
            Invoke-ClaudePrompt 'not sent' -WhatIf | Should -BeNullOrEmpty
            Invoke-ClaudePrompt 'sent' -Confirm:$false | Should -HaveCount 1
        }
    }

    Context 'errors' {
        It 'an empty prompt is a non-terminating error naming the prompt' {
            $r = Invoke-ClaudePrompt -Prompt '' -ErrorVariable errs -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.InvalidArgument,*'
            $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $errs[0].Exception.Message | Should -Match 'prompt'
        }

        It 'an unknown model is ObjectNotFound with the request id, and later rows still run' {
            $r = 'a', 'b' | Invoke-ClaudePrompt -Model 'claude-does-not-exist' -ErrorVariable errs -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $errs.Count | Should -Be 2
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.NotFound,*'
            $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errs[0].TargetObject | Should -Be 'a'
            $errs[0].ErrorDetails.Message | Should -Match 'req'
        }
    }
}

Describe 'Invoke-ClaudePrompt errors' {
    It 'an unreachable endpoint: the ErrorRecord keeps the socket or HTTP exception as InnerException' {
        $port = Get-FreeLoopbackPort   # nothing listens there
        Connect-Claude -ApiKey (New-TestKey) -BaseUri "http://127.0.0.1:$port" -Name dead -MaxRetries 0
        try {
            $r = Invoke-ClaudePrompt 'hello?' -Connection dead -ErrorVariable errs -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.*'
            $errs[0].Exception | Should -BeOfType ([ClaudePS.ClaudeException])
            $inner = $errs[0].Exception.InnerException
            $inner | Should -Not -BeNullOrEmpty
            ($inner -is [System.Net.Http.HttpRequestException] -or $inner -is [System.Net.Sockets.SocketException]) | Should -BeTrue
            "$($errs[0])" | Should -Not -Match 'sk-ant-pester'
        } finally { Disconnect-Claude -Name dead }
    }
}

Describe 'Invoke-ClaudePrompt -Attachment follows PowerShell path rules' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Session = Start-ClaudeTestSession
        # A PNG is recognised by its first bytes; the rest is filler.
        $png = [byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A) + [byte[]]::new(64)
        $script:Pics = Join-Path $TestDrive 'pics'
        New-Item -ItemType Directory $script:Pics | Out-Null
        foreach ($name in 'pic [1].png', 'a.png', 'b.png') { [System.IO.File]::WriteAllBytes((Join-Path $script:Pics $name), $png) }
        $script:Sent = { (Get-ClaudeUsage -Summary).Requests }
    }

    AfterAll { Stop-ClaudeTestSession $script:Session }

    It 'a name with [ ] given to -Attachment is an error naming -LiteralAttachment, and nothing is sent' {
        $before = & $script:Sent
        $err = $null
        $r = Invoke-ClaudePrompt 'describe' -Attachment (Join-Path $script:Pics 'pic [1].png') -ErrorVariable err -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.AttachmentNotFound,*'
        "$($err[0])" | Should -BeLike '*-LiteralAttachment*'
        "$($err[0])" | Should -BeLike '*Nothing was sent*'
        & $script:Sent | Should -Be $before
    }

    It '-LiteralAttachment and the backtick-escaped form attach a name with [ ]' {
        $before = & $script:Sent
        (Invoke-ClaudePrompt 'describe' -LiteralAttachment (Join-Path $script:Pics 'pic [1].png')).Text | Should -Not -BeNullOrEmpty
        (Invoke-ClaudePrompt 'describe' -Attachment (Join-Path $script:Pics 'pic `[1`].png')).Text | Should -Not -BeNullOrEmpty
        & $script:Sent | Should -Be ($before + 2)
    }

    It 'a wildcard expands to every match, and one that matches nothing is an error before sending' {
        $one = (Measure-ClaudeToken 'describe' -Attachment (Join-Path $script:Pics 'a.png')).InputTokens
        $all = (Measure-ClaudeToken 'describe' -Attachment (Join-Path $script:Pics '?.png')).InputTokens
        $all | Should -BeGreaterThan $one
        $before = & $script:Sent
        $err = $null
        Invoke-ClaudePrompt 'describe' -Attachment (Join-Path $script:Pics 'none*.png') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.AttachmentNotFound,*'
        "$($err[0])" | Should -BeLike '*matches no file*'
        & $script:Sent | Should -Be $before
    }

    It 'a missing file is an error and Measure-ClaudeToken applies the same rules' {
        $err = $null
        Invoke-ClaudePrompt 'describe' -Attachment (Join-Path $script:Pics 'missing.png') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        "$($err[0])" | Should -BeLike '*does not exist*'
        Measure-ClaudeToken 'describe' -Attachment (Join-Path $script:Pics 'pic [1].png') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ClaudePS.AttachmentNotFound,*'
        (Measure-ClaudeToken 'describe' -LiteralAttachment (Join-Path $script:Pics 'pic [1].png')).InputTokens | Should -BeGreaterThan 0
    }
}
