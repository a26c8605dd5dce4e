#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Get-ClaudeAccessToken against the emulator: the bearer token of token-based connections (managed
# identity through the emulator's identity endpoint, -AccessToken), its refresh, and its absence for keys.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $missing = -not (Test-ClaudeCmdletExported 'Get-ClaudeAccessToken')
}

Describe 'Get-ClaudeAccessToken' -Skip:$missing {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:Emulator = Start-ClaudeEmulator
        $script:Saved = Clear-ClaudeEnvironment
        $script:SavedHome = Use-TestClaudeHome
        Import-Module (Get-ModuleManifestPath) -Force
        $script:Base = $script:Emulator.BaseUri
        function script:Plain([securestring] $s) { [System.Net.NetworkCredential]::new('', $s).Password }
    }

    AfterAll {
        Disconnect-AllClaude
        Remove-TestClaudeHome $script:SavedHome
        Restore-ClaudeEnvironment $script:Saved
        Stop-ClaudeEmulator $script:Emulator
    }

    Context 'managed identity (-Identity) against the emulator' {
        BeforeAll {
            Connect-Claude -Identity -TokenScope 'api://claude-gateway' -IdentityEndpoint "$($script:Base)/metadata/identity/oauth2/token" `
                -Provider Gateway -BaseUri $script:Base -Name mi
        }
        AfterAll { Disconnect-Claude -Name mi }

        It 'returns the token as a SecureString with its expiry and source, never as plain text' {
            $t = Get-ClaudeAccessToken -Connection mi
            $t | Should -BeOfType ([ClaudePS.ClaudeAccessToken])
            $t.Token | Should -BeOfType ([securestring])
            Plain $t.Token | Should -Not -BeNullOrEmpty
            $t.ExpiresOn | Should -BeGreaterThan ([DateTimeOffset]::UtcNow)
            $t.ConnectionName | Should -Be 'mi'
            ($t | Out-String) | Should -Not -Match ([regex]::Escape((Plain $t.Token)))
        }

        It 'takes -Connection by position and serves the cached token until -ForceRefresh' {
            $first = Plain (Get-ClaudeAccessToken mi).Token
            Plain (Get-ClaudeAccessToken mi).Token | Should -Be $first
            $refreshed = Plain (Get-ClaudeAccessToken -Connection mi -ForceRefresh).Token
            $refreshed | Should -Not -Be $first
            Plain (Get-ClaudeAccessToken mi).Token | Should -Be $refreshed
        }

        It 'the token it returns is the one the connection sends' {
            (Invoke-ClaudePrompt 'ping' -Connection mi).Text | Should -Not -BeNullOrEmpty
        }
    }

    Context 'static tokens and keys' {
        It 'returns an -AccessToken as given, without an expiry' {
            Connect-Claude -AccessToken (ConvertTo-SecureString 'sk-ant-pester-bearer-1' -AsPlainText -Force) -BaseUri $script:Base -Name bearer
            try {
                $t = Get-ClaudeAccessToken -Connection bearer
                Plain $t.Token | Should -Be 'sk-ant-pester-bearer-1'
                $t.ExpiresOn | Should -BeNullOrEmpty
            } finally { Disconnect-Claude -Name bearer }
        }

        It 'is an error for an API-key connection' {
            Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Base
            $err = { Get-ClaudeAccessToken -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.NoAccessToken,*'
            $err.Exception.Message | Should -Not -Match 'sk-ant-pester'
        }

        It 'names a missing connection' {
            $err = { Get-ClaudeAccessToken -Connection 'nope' } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ClaudePS.NotConnected,*'
        }
    }
}
