#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Connect-Claude against the emulator: every parameter set, the credential order, URI rules, -Validate.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Emulator = Start-ClaudeEmulator
    $script:Saved = Clear-ClaudeEnvironment
    Import-Module (Get-ModuleManifestPath) -Force
    $script:Canary = 'sk-ant-canary-pester-5d1e9a7c'
}

AfterAll {
    Disconnect-AllClaude
    Restore-ClaudeEnvironment $script:Saved
    Stop-ClaudeEmulator $script:Emulator
}

Describe 'Connect-Claude' {
    AfterEach {
        Disconnect-AllClaude
        Reset-ClaudeVariables | Out-Null
    }

    Context 'parameter sets' {
        It 'has the Environment set as default and one set per credential kind' {
            $cmd = Get-Command Connect-Claude
            $cmd.DefaultParameterSet | Should -Be 'Environment'
            $cmd.ParameterSets.Name | Sort-Object | Should -Be @('AccessToken', 'ApiKey', 'Certificate', 'CertificateFile',
                'CertificateThumbprint', 'ClientSecret', 'Credential', 'Environment', 'IdentityTokenFile',
                'IdentityTokenVariable', 'ManagedIdentity', 'ServiceAccount', 'Vault')
            $cmd.OutputType.Type | Should -Contain ([ClaudePS.ClaudeConnectionInfo])
        }
    }

    Context 'API version, betas and effort' {
        It 'sends anthropic-version 2026-10-21 by default, the pinned one with -AnthropicVersion, and the -Beta values' {
            # A one-off loopback server that records the headers it gets: the emulator does not echo them.
            $port = Get-FreeLoopbackPort
            $listener = [System.Net.HttpListener]::new()
            $listener.Prefixes.Add("http://127.0.0.1:$port/")
            $listener.Start()
            $seen = [System.Collections.Concurrent.ConcurrentQueue[hashtable]]::new()
            $job = Start-ThreadJob -ArgumentList $listener, $seen -ScriptBlock {
                param($listener, $seen)
                for ($i = 0; $i -lt 3; $i++) {
                    $ctx = $listener.GetContext()
                    $seen.Enqueue(@{ Version = $ctx.Request.Headers['anthropic-version']; Beta = $ctx.Request.Headers['anthropic-beta'] })
                    $json = '{"id":"msg_probe","type":"message","role":"assistant","model":"claude-sonnet-5-5","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}'
                    $body = [System.Text.Encoding]::UTF8.GetBytes($json)
                    $ctx.Response.ContentType = 'application/json'
                    $ctx.Response.AddHeader('request-id', 'req_probe')
                    $ctx.Response.OutputStream.Write($body, 0, $body.Length)
                    $ctx.Response.Close()
                }
            }
            try {
                $info = Connect-Claude -ApiKey (New-TestKey) -BaseUri "http://127.0.0.1:$port" -Name probe -Beta 'feature-a-2026-01-01,feature-b-2026-02-02' -NoLedger -MaxRetries 0 -PassThru
                $info.AnthropicVersion | Should -Be '2026-10-21'
                $info.Betas | Should -Be @('feature-a-2026-01-01', 'feature-b-2026-02-02')
                (Invoke-ClaudePrompt 'hi' -Connection probe).Text | Should -Be 'ok'
                (Invoke-ClaudePrompt 'hi' -Connection probe -Beta 'feature-c-2026-03-03').Text | Should -Be 'ok'
                Connect-Claude -ApiKey (New-TestKey) -BaseUri "http://127.0.0.1:$port" -Name pinned -AnthropicVersion 2023-06-01 -NoLedger -MaxRetries 0
                (Invoke-ClaudePrompt 'hi' -Connection pinned).Text | Should -Be 'ok'
                $null = $job | Wait-Job -Timeout 30
                $all = $seen.ToArray()
                $all.Count | Should -Be 3
                $all[0].Version | Should -Be '2026-10-21'
                $all[0].Beta | Should -Be 'feature-a-2026-01-01,feature-b-2026-02-02'
                $all[1].Beta | Should -Be 'feature-a-2026-01-01,feature-b-2026-02-02,feature-c-2026-03-03'
                $all[2].Version | Should -Be '2023-06-01'
                $all[2].Beta | Should -BeNullOrEmpty
            } finally {
                $listener.Stop()
                $job | Remove-Job -Force
            }
        }

        It '-AnthropicVersion must be a date and -Effort one of the levels' {
            { Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -AnthropicVersion latest } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            { Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Effort extreme } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            $err = { Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -AnthropicVersion 1999-01-01 } | Should -Throw -PassThru
            $err.Exception.Message | Should -Match 'AnthropicVersion'
        }
    }

    Context 'credentials' {
        It '-ApiKey connects and -PassThru shows the connection without the key' {
            $info = Connect-Claude -ApiKey (New-TestKey $script:Canary) -BaseUri $script:Emulator.BaseUri -PassThru
            $info | Should -BeOfType ([ClaudePS.ClaudeConnectionInfo])
            $info.AuthKind | Should -Be 'ApiKey'
            $info.CredentialSource | Should -Be '-ApiKey'
            $info.IsDefault | Should -BeTrue
            $info.Endpoints | Should -Be @($script:Emulator.BaseUri)
            ($info | Format-List * | Out-String) | Should -Not -Match 'canary'
            ($info | ConvertTo-Json -Depth 5) | Should -Not -Match 'canary'
        }

        It '-Credential takes the key from the password' {
            $cred = New-Object System.Management.Automation.PSCredential ('anyone', (New-TestKey))
            $info = Connect-Claude -Credential $cred -BaseUri $script:Emulator.BaseUri -PassThru
            $info.AuthKind | Should -Be 'ApiKey'
            $info.CredentialSource | Should -Be '-Credential'
        }

        It '-AccessToken connects with a bearer token' {
            $info = Connect-Claude -AccessToken (New-TestKey) -BaseUri $script:Emulator.BaseUri -PassThru
            $info.AuthKind | Should -Be 'Bearer'
        }

        It 'reads ANTHROPIC_API_KEY first, then ANTHROPIC_AUTH_TOKEN' {
            $env:ANTHROPIC_AUTH_TOKEN = 'sk-ant-token-0123456789'
            $env:ANTHROPIC_API_KEY = 'sk-ant-key-0123456789'
            (Connect-Claude -BaseUri $script:Emulator.BaseUri -PassThru).CredentialSource | Should -Be 'env:ANTHROPIC_API_KEY'
            Remove-Item Env:ANTHROPIC_API_KEY
            $info = Connect-Claude -BaseUri $script:Emulator.BaseUri -PassThru
            $info.CredentialSource | Should -Be 'env:ANTHROPIC_AUTH_TOKEN'
            $info.AuthKind | Should -Be 'Bearer'
        }

        It 'an explicit key wins over the environment' {
            $env:ANTHROPIC_API_KEY = 'sk-ant-key-0123456789'
            (Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -PassThru).CredentialSource | Should -Be '-ApiKey'
        }

        It 'without any credential it is a terminating error naming the variables' {
            $err = { Connect-Claude -BaseUri $script:Emulator.BaseUri } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.NoCredential,*'
            $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $err.Exception.Message | Should -Match 'ANTHROPIC_API_KEY'
        }

        It 'an empty key is refused with a message naming the key' {
            $empty = New-Object System.Security.SecureString
            $err = { Connect-Claude -ApiKey $empty -BaseUri $script:Emulator.BaseUri } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.EmptyCredential,*'
            $err.Exception.Message | Should -Match 'API key'
        }

        It 'never writes the key to the verbose stream' {
            $verbose = Connect-Claude -ApiKey (New-TestKey $script:Canary) -BaseUri $script:Emulator.BaseUri -Verbose 4>&1 | Out-String
            $verbose | Should -Match 'Connected'
            $verbose | Should -Not -Match 'canary'
        }
    }

    Context 'endpoint' {
        It 'honours ANTHROPIC_BASE_URL' {
            $env:ANTHROPIC_BASE_URL = $script:Emulator.BaseUri
            (Connect-Claude -ApiKey (New-TestKey) -PassThru).Endpoints | Should -Be @($script:Emulator.BaseUri)
        }

        It 'defaults to the public API' {
            (Connect-Claude -ApiKey (New-TestKey) -PassThru).Endpoints | Should -Be @('https://api.anthropic.com')
        }

        It 'refuses a base URI that is not http(s), naming BaseUri' {
            $err = { Connect-Claude -ApiKey (New-TestKey) -BaseUri 'ftp://example.test' } | Should -Throw -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -Match 'BaseUri'
        }

        It 'refuses plain http to a remote host unless -AllowUnencryptedConnection' {
            $err = { Connect-Claude -ApiKey (New-TestKey) -BaseUri 'http://gateway.example.test' } | Should -Throw -PassThru
            $err.Exception.Message | Should -Match 'AllowUnencryptedConnection'
            # No call is made without -Validate, so this connects.
            (Connect-Claude -ApiKey (New-TestKey) -BaseUri 'http://gateway.example.test' -AllowUnencryptedConnection -PassThru).Endpoints |
                Should -Be @('http://gateway.example.test')
        }
    }

    Context 'options' {
        It 'keeps -Name, -DefaultModel, -TimeoutSec and -Tag on the connection' {
            $info = Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Name 'team' -DefaultModel 'claude-haiku-4-5' -TimeoutSec 42 -Tag 'runbook', 'nightly' -PassThru
            $info.Name | Should -Be 'team'
            $info.DefaultModel | Should -Be 'claude-haiku-4-5'
            $info.Timeout | Should -Be ([TimeSpan]::FromSeconds(42))
            $info.Tags | Should -Be @('runbook', 'nightly')
        }

        It 'rejects a TimeoutSec out of range' {
            { Connect-Claude -ApiKey (New-TestKey) -TimeoutSec 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It 'shows a -Proxy without its credentials' {
            $info = Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Proxy 'http://127.0.0.1:3128' -PassThru
            $info.Proxy | Should -Be 'http://127.0.0.1:3128'
        }

        It 'refuses a -Proxy with a password in it and does not repeat the password' {
            $err = { Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Proxy 'http://ops:S3cretProxyPw@127.0.0.1:3128' } |
                Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.InvalidArgument*'
            $err.Exception.Message | Should -Match 'ProxyCredential'
            ($err | Out-String) + $err.Exception.ToString() | Should -Not -Match 'S3cretProxyPw'
        }

        It 'writes nothing without -PassThru' {
            Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri | Should -BeNullOrEmpty
        }
    }

    Context 'token-based credentials (added with the credentials work)' {
        BeforeEach { Disconnect-AllClaude }

        It '-Identity gets a managed identity token from the emulator at connect time and uses it' {
            $info = Connect-Claude -Identity -TokenScope 'api://claude-gateway' -IdentityEndpoint "$($script:Emulator.BaseUri)/metadata/identity/oauth2/token" `
                -Provider Gateway -BaseUri $script:Emulator.BaseUri -PassThru
            $info.AuthKind | Should -Not -BeNullOrEmpty
            (Invoke-ClaudePrompt 'via managed identity').Text | Should -Not -BeNullOrEmpty
        }

        It '-IdentityClientId names a user-assigned identity the emulator does not know: terminating, at connect time' {
            { Connect-Claude -Identity -TokenScope 'api://claude-gateway' -IdentityClientId '00000000-0000-0000-0000-00000000beef' `
                -IdentityEndpoint "$($script:Emulator.BaseUri)/metadata/identity/oauth2/token" -Provider Gateway -BaseUri $script:Emulator.BaseUri } |
                Should -Throw
            Get-ClaudeConnection | Should -BeNullOrEmpty
        }

        It '-ClientId with a -ClientSecret the issuer rejects fails at connect time without echoing the secret' {
            $secret = ConvertTo-SecureString 'pester-client-secret-0123456789' -AsPlainText -Force
            $err = { Connect-Claude -ClientId 'unknown-app' -ClientSecret $secret -TokenEndpoint "$($script:Emulator.BaseUri)/oauth2/token" `
                        -TokenScope 'api://claude-gateway/.default' -Provider Gateway -BaseUri $script:Emulator.BaseUri } | Should -Throw -PassThru
            $err.Exception.Message | Should -Not -Match 'pester-client-secret'
            $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.*'
            Get-ClaudeConnection | Should -BeNullOrEmpty
        }

        It 'the -ClientId sets require -TokenEndpoint and one proof (secret or certificate)' {
            $secret = ConvertTo-SecureString 'x' -AsPlainText -Force
            { Connect-Claude -ClientId app -ClientSecret $secret } | Should -Throw
            { Connect-Claude -ClientId app -TokenEndpoint 'https://127.0.0.1/token' -CertificateThumbprint 'AB' -ClientSecret $secret } | Should -Throw
            { Connect-Claude -ClientId app -ClientSecret $secret -TokenEndpoint 'https://127.0.0.1/token' -SigningAlgorithm 'XX256' } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It '-CertificatePath that does not exist is a terminating error naming the file' {
            $err = { Connect-Claude -ClientId app -CertificatePath (Join-Path $TestDrive 'missing.pfx') -CertificatePassword (ConvertTo-SecureString 'pw' -AsPlainText -Force) `
                        -TokenEndpoint "$($script:Emulator.BaseUri)/oauth2/token" -Provider Gateway -BaseUri $script:Emulator.BaseUri } | Should -Throw -PassThru
            $err.Exception.Message | Should -Match 'missing\.pfx'
        }

        It '-ServiceAccountKeyPath that does not exist is a terminating error' {
            { Connect-Claude -Provider Vertex -Region us-east5 -ProjectId pester -ServiceAccountKeyPath (Join-Path $TestDrive 'sa.json') `
                -TokenEndpoint "$($script:Emulator.BaseUri)/oauth2/token" -BaseUri $script:Emulator.BaseUri } | Should -Throw
        }

        It '-IdentityTokenVariable naming an empty variable is a terminating error' {
            { Connect-Claude -IdentityTokenVariable 'CLAUDEPS_PESTER_NO_SUCH_TOKEN' -FederationRuleId 'fdrl_x' -OrganizationId 'org' -BaseUri $script:Emulator.BaseUri } |
                Should -Throw
            { Connect-Claude -IdentityTokenPath (Join-Path $TestDrive 'no-token.jwt') -FederationRuleId 'fdrl_x' -OrganizationId 'org' -ServiceAccountId 'svac_x' -WorkspaceId 'wrkspc_x' `
                -BaseUri $script:Emulator.BaseUri } | Should -Throw
        }

        It '-SecretName without SecretManagement (or an unknown -Vault) is a clear terminating error' {
            $err = { Connect-Claude -SecretName 'ClaudeKey' -Vault 'NoSuchVault' -BaseUri $script:Emulator.BaseUri } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.*'
        }

        It '-Provider Gateway needs a base URI' {
            $err = { Connect-Claude -Provider Gateway -AccessToken (New-TestKey) } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.GatewayNeedsBaseUri,*'
        }

        It '-Provider, -Scope and -SigningAlgorithm accept only their listed values' {
            { Connect-Claude -ApiKey (New-TestKey) -Provider Azure } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            { Connect-Claude -ApiKey (New-TestKey) -Scope LocalMachine } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It '-Scope CurrentUser keeps working with a static token' {
            Connect-Claude -AccessToken (New-TestKey) -BaseUri $script:Emulator.BaseUri -Scope CurrentUser
            (Invoke-ClaudePrompt 'scoped').Text | Should -Not -BeNullOrEmpty
        }
    }

    Context '-Validate' {
        It 'succeeds with a key the server accepts' {
            { Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri -Validate } | Should -Not -Throw
            Get-ClaudeConnection | Should -Not -BeNullOrEmpty
        }

        It 'is a terminating authentication error for a rejected key, and leaves no connection' {
            $err = { Connect-Claude -ApiKey (New-TestKey 'rejected-key-0123456789') -BaseUri $script:Emulator.BaseUri -Validate } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.AuthenticationFailed,*'
            $err.Exception.Message | Should -Not -Match 'rejected-key'
            Get-ClaudeConnection | Should -BeNullOrEmpty
        }
    }
}
