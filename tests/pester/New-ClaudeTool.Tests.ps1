#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# New-ClaudeTool: the schema derived from real PowerShell parameter metadata, secrets kept out, pins,
# parameter sets, script blocks, and the errors. Nothing is sent: no emulator needed.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:SavedHome = Use-TestClaudeHome
    $script:Saved = Clear-ClaudeEnvironment
    Import-Module (Get-ModuleManifestPath) -Force

    function Get-Shape {
        <#
        .SYNOPSIS
        Reads every kind of parameter.
        .PARAMETER Name
        The object to read.
        #>
        [CmdletBinding()]
        param(
            [Parameter(Mandatory)] [string] $Name,
            [int] $Count,
            [double] $Ratio,
            [switch] $Force,
            [bool] $Enabled,
            [string[]] $Tag,
            [int[]] $Id,
            [System.DayOfWeek] $Day,
            [ValidateSet('Low', 'High')] [string] $Level,
            [ValidateRange(1, 10)] [int] $Top,
            [ValidateLength(2, 8)] [string] $Code,
            [ValidatePattern('^srv[0-9]+$')] [string] $Server,
            [Parameter(HelpMessage = 'When the item was seen')] [datetime] $Seen,
            [pscredential] $Credential,
            [securestring] $Secret,
            [string] $Password,
            [string] $AccessToken,
            [int] $MaxTokens,
            [scriptblock] $Filter,
            $Untyped
        )
        "shape $Name"
    }
    function Set-Remote {
        [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'ByName')]
        param(
            [Parameter(Mandatory, ParameterSetName = 'ByName')] [string] $Name,
            [Parameter(Mandatory, ParameterSetName = 'ById')] [int] $Id,
            [Parameter(Mandatory)] [pscredential] $Credential,
            [string] $ComputerName
        )
        "set $Name$Id on $ComputerName"
    }
    $script:Cred = [pscredential]::new('svc-account', (ConvertTo-SecureString 'Pa55-w0rd-never-sent' -AsPlainText -Force))
    $script:Tool = New-ClaudeTool (Get-Command Get-Shape)
    $script:Schema = $script:Tool.InputSchema | ConvertFrom-Json -AsHashtable
}

AfterAll {
    Restore-ClaudeEnvironment $script:Saved
    Remove-TestClaudeHome $script:SavedHome
}

Describe 'New-ClaudeTool' {
    Context 'schema from parameter metadata' {
        It 'is a closed object whose required list is the mandatory parameters' {
            $script:Tool | Should -BeOfType ([ClaudePS.ClaudeTool])
            $script:Schema.type | Should -Be 'object'
            $script:Schema.additionalProperties | Should -BeFalse
            @($script:Schema.required) | Should -Be @('Name')
            $script:Tool.Name | Should -Be 'Get-Shape'
            $script:Tool.ReadOnly | Should -BeTrue
        }

        It 'maps types: <Param> is <Type>' -ForEach @(
            @{ Param = 'Name'; Type = 'string' }, @{ Param = 'Count'; Type = 'integer' }, @{ Param = 'Ratio'; Type = 'number' }
            @{ Param = 'Force'; Type = 'boolean' }, @{ Param = 'Enabled'; Type = 'boolean' }, @{ Param = 'Seen'; Type = 'string' }
            @{ Param = 'Untyped'; Type = 'string' }
        ) {
            $script:Schema.properties[$Param].type | Should -Be $Type
        }

        It 'makes arrays JSON arrays of their element type' {
            $script:Schema.properties.Tag.type | Should -Be 'array'
            $script:Schema.properties.Tag.items.type | Should -Be 'string'
            $script:Schema.properties.Id.items.type | Should -Be 'integer'
        }

        It 'turns enums and ValidateSet into enum' {
            $script:Schema.properties.Day.enum | Should -Contain 'Monday'
            $script:Schema.properties.Day.enum.Count | Should -Be 7
            $script:Schema.properties.Level.enum | Should -Be @('Low', 'High')
        }

        It 'keeps ValidateRange, ValidateLength and ValidatePattern' {
            $script:Schema.properties.Top.minimum | Should -Be 1
            $script:Schema.properties.Top.maximum | Should -Be 10
            $script:Schema.properties.Code.minLength | Should -Be 2
            $script:Schema.properties.Code.maxLength | Should -Be 8
            $script:Schema.properties.Server.pattern | Should -Be '^srv[0-9]+$'
        }

        It 'uses comment-based help, HelpMessage and the synopsis as descriptions' {
            $script:Schema.properties.Name.description | Should -Be 'The object to read.'
            $script:Schema.properties.Seen.description | Should -Be 'When the item was seen'
            $script:Tool.Description | Should -Be 'Reads every kind of parameter.'
        }

        It 'never exposes credential, SecureString or secret-named parameters, and says why' {
            foreach ($name in 'Credential', 'Secret', 'Password', 'AccessToken') {
                $script:Schema.properties.Keys | Should -Not -Contain $name
                ($script:Tool.Parameters | Where-Object Name -eq $name).Hidden | Should -Be 'Secret'
            }
            $script:Tool.InputSchema | Should -Not -Match 'Credential|Password|AccessToken'
        }

        It 'a token count is not taken for a token: -MaxTokens stays visible' {
            $script:Schema.properties.MaxTokens.type | Should -Be 'integer'
        }

        It 'leaves out types the model cannot write and the common parameters' {
            $script:Schema.properties.Keys | Should -Not -Contain 'Filter'
            ($script:Tool.Parameters | Where-Object Name -eq 'Filter').Hidden | Should -Be 'Unsupported'
            $script:Schema.properties.Keys | Should -Not -Contain 'Verbose'
            $script:Schema.properties.Keys | Should -Not -Contain 'ErrorAction'
        }
    }

    Context 'control' {
        It 'pins arguments: hidden from the model, never printed, kept for the call' {
            $t = New-ClaudeTool (Get-Command Set-Remote) -ToolParameter @{ Credential = $script:Cred; ComputerName = 'srv01' }
            $schema = $t.InputSchema | ConvertFrom-Json -AsHashtable
            $schema.properties.Keys | Should -Be @('Name')
            $t.PinnedParameters | Sort-Object | Should -Be @('ComputerName', 'Credential')
            ($t | Format-List * | Out-String) | Should -Not -Match 'srv01|svc-account'
            $t.ReadOnly | Should -BeFalse
        }

        It 'refuses a mandatory credential that is not pinned, saying how to fix it' {
            { New-ClaudeTool (Get-Command Set-Remote) -ErrorAction Stop } | Should -Throw -ErrorId 'ClaudePS.InvalidTool*'
            New-ClaudeTool (Get-Command Set-Remote) -ErrorAction SilentlyContinue -ErrorVariable err
            "$($err[0])" | Should -Match '-ToolParameter'
        }

        It 'refuses a pin for a parameter the command does not have' {
            { New-ClaudeTool (Get-Command Get-Shape) -ToolParameter @{ Nope = 1 } -ErrorAction Stop } | Should -Throw -ErrorId 'ClaudePS.InvalidTool*'
        }

        It 'uses the chosen parameter set, name and description' {
            $t = New-ClaudeTool Set-Remote -ParameterSet ById -Name set_by_id -Description 'Sets one item by id.' -ToolParameter @{ Credential = $script:Cred }
            $t.Name | Should -Be 'set_by_id'
            $t.Description | Should -Be 'Sets one item by id.'
            $t.ParameterSetName | Should -Be 'ById'
            ($t.InputSchema | ConvertFrom-Json -AsHashtable).properties.Keys | Sort-Object | Should -Be @('ComputerName', 'Id')
            { New-ClaudeTool Set-Remote -ParameterSet Nope -ErrorAction Stop } | Should -Throw -ErrorId 'ClaudePS.InvalidTool*'
        }

        It 'reads a script block''s param() block' {
            $t = New-ClaudeTool -ScriptBlock { param([Parameter(Mandatory)] [ValidateSet('a', 'b')] [string] $Mode, [int] $Depth) "$Mode $Depth" } -Name Invoke-Probe -ReadOnly
            $schema = $t.InputSchema | ConvertFrom-Json -AsHashtable
            $schema.properties.Mode.enum | Should -Be @('a', 'b')
            $schema.properties.Depth.type | Should -Be 'integer'
            $schema.required | Should -Be @('Mode')
            $t.ReadOnly | Should -BeTrue
            Get-Command __ClaudePSTool -ErrorAction SilentlyContinue | Should -BeNullOrEmpty # no leftovers in the session
        }

        It 'takes piped Get-Command output, one tool per command, and works on a real cmdlet' {
            $tools = Get-Command Get-Date, Get-Random | New-ClaudeTool
            $tools.Name | Should -Be @('Get-Date', 'Get-Random')
            ($tools[0].InputSchema | ConvertFrom-Json).type | Should -Be 'object'
        }

        It 'says which command was not found' {
            { New-ClaudeTool Get-NoSuchThing -ErrorAction Stop } | Should -Throw -ErrorId 'ClaudePS.ToolNotFound*'
        }

        It 'refuses a name the API does not accept' {
            { New-ClaudeTool (Get-Command Get-Shape) -Name 'has space' -ErrorAction Stop } | Should -Throw -ErrorId 'ClaudePS.InvalidTool*'
        }

        It 'shows as a table with the parameters the model sees' {
            $text = $script:Tool | Out-String -Width 200
            $text | Should -Match 'Get-Shape'
            $text | Should -Match 'Name, Count'
            $text | Should -Not -Match 'Credential'
        }
    }
}
