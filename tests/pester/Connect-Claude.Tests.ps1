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
        Clear-ClaudeEnvironment | Out-Null
    }

    Context 'parameter sets' {
        It 'has the Environment set as default and one set per credential kind' {
            $cmd = Get-Command Connect-Claude
            $cmd.DefaultParameterSet | Should -Be 'Environment'
            $cmd.ParameterSets.Name | Sort-Object | Should -Be @('AccessToken', 'ApiKey', 'Credential', 'Environment')
            $cmd.OutputType.Type | Should -Contain ([ClaudePS.ClaudeConnectionInfo])
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

        It 'writes nothing without -PassThru' {
            Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Emulator.BaseUri | Should -BeNullOrEmpty
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
