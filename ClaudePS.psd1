@{
    RootModule             = 'ClaudePS.dll'
    ModuleVersion          = '0.1.0'
    CompatiblePSEditions   = @('Desktop', 'Core')
    GUID                   = '6f0c7a52-3d2e-4b8e-9a51-2f4d8c1b7e93'
    Author                 = 'ClaudePS contributors'
    CompanyName            = 'ClaudePS'
    Copyright              = '(c) ClaudePS contributors. MIT licence.'
    Description            = "Anthropic's Claude API from PowerShell: prompts, streaming, CSV batches, retries and rate limiting, cost ledger and redaction."
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('ClaudePS.Format.ps1xml')
    CmdletsToExport        = @(
        'Connect-Claude'
        'Disconnect-Claude'
        'Export-ClaudeConversation'
        'Export-ClaudeMetrics'
        'Get-ClaudeAccessToken'
        'Get-ClaudeBatch'
        'Get-ClaudeConnection'
        'Get-ClaudeMetrics'
        'Get-ClaudeModel'
        'Get-ClaudeUsage'
        'Import-ClaudeConversation'
        'Invoke-ClaudeBatch'
        'Invoke-ClaudePrompt'
        'Measure-ClaudeToken'
        'New-ClaudeConversation'
        'New-ClaudeTool'
        'Receive-ClaudeBatchResult'
        'Set-ClaudePrice'
        'Stop-ClaudeBatch'
        'Wait-ClaudeBatch'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('Claude', 'Anthropic', 'AI', 'LLM', 'API', 'Automation', 'Windows', 'Linux', 'MacOS', 'PSEdition_Desktop', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/claudeps/ClaudePS'
            LicenseUri   = 'https://github.com/claudeps/ClaudePS/blob/main/LICENSE'
            ReleaseNotes = 'First release: Connect-Claude, Invoke-ClaudePrompt with streaming, typed results.'
        }
    }
}
