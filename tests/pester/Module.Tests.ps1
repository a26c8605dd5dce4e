#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# The module as PowerShell sees it: imports on this edition, exports what the manifest says, has help,
# and keeps its engine private.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $CmdletNames = @((Import-PowerShellDataFile (Get-ModuleManifestPath)).CmdletsToExport)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Saved = Clear-ClaudeEnvironment
    $script:ManifestPath = Get-ModuleManifestPath
    $script:Manifest = Import-PowerShellDataFile $script:ManifestPath
    $script:Module = Import-Module $script:ManifestPath -Force -PassThru
}

AfterAll {
    Restore-ClaudeEnvironment $script:Saved
}

Describe 'ClaudePS module' {
    It 'imports on this edition (<Edition>)' -TestCases @(@{ Edition = $PSVersionTable.PSEdition }) {
        $script:Module | Should -Not -BeNullOrEmpty
        $script:Module.Name | Should -Be 'ClaudePS'
        $script:Manifest.CompatiblePSEditions | Should -Contain $Edition
    }

    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest $script:ManifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports exactly the cmdlets the manifest lists' {
        $exported = (Get-Command -Module ClaudePS -CommandType Cmdlet).Name | Sort-Object
        $exported | Should -Be ($script:Manifest.CmdletsToExport | Sort-Object)
        (Get-Command -Module ClaudePS -CommandType Function, Alias) | Should -BeNullOrEmpty
    }

    It 'imports in a fresh process of this edition' {
        $pwsh = Get-PwshCommand
        $count = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command "Import-Module '$($script:ManifestPath)' -ErrorAction Stop; (Get-Command -Module ClaudePS).Count"
        $LASTEXITCODE | Should -Be 0
        [int]($count | Select-Object -Last 1) | Should -Be $script:Manifest.CmdletsToExport.Count
    }

    It 'loads the engine privately (PowerShell 7) or from Dependencies/netstandard2.0 (5.1)' {
        # Any engine call loads it; Get-ClaudeConnection touches the connection store.
        Get-ClaudeConnection | Out-Null
        $engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'ClaudePS.Engine' } | Select-Object -First 1
        $engine | Should -Not -BeNullOrEmpty
        if ($PSVersionTable.PSEdition -eq 'Core') {
            $alc = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine)
            $alc | Should -Not -Be ([System.Runtime.Loader.AssemblyLoadContext]::Default)
            $engine.Location | Should -BeLike '*Dependencies*net8.0*'
            $abstractions = [ClaudePS.ClaudeResponse].Assembly
            [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($abstractions) | Should -Be ([System.Runtime.Loader.AssemblyLoadContext]::Default)
        } else {
            $engine.Location | Should -BeLike '*Dependencies*netstandard2.0*'
        }
    }

    It 'every test file isolates the environment (ANTHROPIC_*, CLAUDEPS_* and a temporary CLAUDEPS_HOME)' {
        foreach ($file in Get-ChildItem $PSScriptRoot -Filter '*.Tests.ps1') {
            (Get-Content $file.FullName -Raw) | Should -Match 'Clear-ClaudeEnvironment|Start-ClaudeTestSession' -Because "$($file.Name) must not touch the user's ledger, prices or keys"
        }
    }

    It 'ships no PowerShell assemblies' {
        Get-ChildItem (Split-Path $script:ManifestPath) -Recurse -Filter 'System.Management.Automation*.dll' | Should -BeNullOrEmpty
    }

    Context 'help for <_>' -ForEach $CmdletNames {
        BeforeAll {
            $script:Name = $_
            $script:Help = Get-Help $_ -Full
        }

        It 'has a synopsis and a description' {
            $script:Help.Synopsis | Should -Not -BeNullOrEmpty
            $script:Help.Synopsis.Trim() | Should -Not -BeLike "$($script:Name)*" # not the generated syntax line
            ($script:Help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        }

        It 'has examples' {
            @($script:Help.Examples.Example).Count | Should -BeGreaterOrEqual 3
        }

        It 'documents every parameter' {
            $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters + 'ProgressAction'
            $documented = @($script:Help.Parameters.Parameter | Where-Object { ($_.Description | Out-String).Trim() }).Name
            $command = Get-Command $script:Name
            foreach ($p in @($command.Parameters.Keys) | Where-Object { $_ -notin $common }) {
                $hidden = $command.Parameters[$p].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.DontShow }
                if ($hidden) { continue }
                $documented | Should -Contain $p -Because "-$p of $($script:Name) needs a description"
            }
        }
    }
}
