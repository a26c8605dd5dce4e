<#
.SYNOPSIS
Builds, tests and demonstrates ClaudePS. Runs on Windows PowerShell 5.1 and PowerShell 7.

.PARAMETER Task
Build  : dotnet build ModuleTools.sln -c Release (lays out out/ClaudePS).
Test   : the whole gate CI runs: the xunit suites (dotnet test ModuleTools.sln), then the Pester suite.
Unit   : the xunit suites only.
Pester : the Pester suite in tests/pester, in this PowerShell, against the emulator. Pester 5.7.1 is
         restored from NuGet into out/tools (never Install-Module), and used for this run only.
Demo   : build, start the emulator on a free loopback port, import the module, push samples/prompts.csv
         through Invoke-ClaudeBatch, show its usage (from a temporary ledger), stop the emulator.
All    : Test, then Demo.

.EXAMPLE
dotnet tool restore; dotnet pwsh -NoProfile -NonInteractive -File ./build.ps1 -Task Test

The one-line test command of the README: installs pwsh 7.6.10 (the local tool in .config/) and runs every suite.

.EXAMPLE
./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Unit', 'Pester', 'Demo', 'All')]
    [string[]] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Pester's output: Normal lists failures and a summary; Detailed lists every test.
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $PesterVerbosity = 'Normal',
    # With -Task Pester: use the module as it was last built.
    [switch] $SkipBuild
)

$ErrorActionPreference = 'Stop'
$RepoRoot = $PSScriptRoot
$Solution = Join-Path $RepoRoot 'ModuleTools.sln'
$ModuleManifest = Join-Path $RepoRoot 'out/ClaudePS/ClaudePS.psd1'
Import-Module (Join-Path $RepoRoot 'tests/pester/TestHelpers.psm1') -Force

function Invoke-Dotnet {
    # A simple function on purpose: $args passes '-c' and '--nologo' through untouched.
    $Arguments = [string[]]$args
    Write-Host "> dotnet $($Arguments -join ' ')" -ForegroundColor Cyan
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE." }
}

function Invoke-BuildTask {
    Invoke-Dotnet build $Solution -c $Configuration --nologo
    if (-not (Test-Path $ModuleManifest)) { throw "The build did not lay out $ModuleManifest." }
}

function Invoke-UnitTask {
    # dotnet test builds every project, which also lays out out/ClaudePS for the Pester run that follows.
    Invoke-Dotnet test $Solution -c $Configuration --nologo
}

function Import-PesterFromNuGet {
    # Pester comes from NuGet, pinned in tests/pester/tools/PesterRestore.csproj (the PowerShell Gallery
    # is not reachable on CI machines). Its tools/ folder is the module; a copy named Pester/ goes on
    # PSModulePath for this run only, so any Pester the user has installed is neither used nor touched.
    $restoreProject = Join-Path $RepoRoot 'tests/pester/tools/PesterRestore.csproj'
    $version = ([xml](Get-Content $restoreProject -Raw)).Project.PropertyGroup.PesterVersion | Where-Object { $_ } | Select-Object -First 1
    $modulesRoot = Join-Path $RepoRoot 'out/tools/Modules'
    $moduleDir = Join-Path $modulesRoot "Pester/$version"
    if (-not (Test-Path (Join-Path $moduleDir 'Pester.psd1'))) {
        Invoke-Dotnet restore $restoreProject --nologo
        $tools = Join-Path $RepoRoot "out/tools/packages/pester/$version/tools"
        New-Item -ItemType Directory -Path $moduleDir -Force | Out-Null
        Copy-Item -Path (Join-Path $tools '*') -Destination $moduleDir -Recurse -Force
    }
    $env:PSModulePath = $modulesRoot + [System.IO.Path]::PathSeparator + $env:PSModulePath
    Import-Module Pester -RequiredVersion $version -Force
}

function Test-NonInteractive {
    [Environment]::GetCommandLineArgs() | Where-Object { $_ -like '-noni*' }
}

function Invoke-PesterTask {
    param([switch] $SkipBuild)
    if (-not $SkipBuild) { Invoke-BuildTask }
    if (-not (Test-NonInteractive)) {
        # A test that would prompt (a missing mandatory parameter, a confirmation) must fail, not wait for
        # someone at the keyboard: run the suite in a non-interactive child of this same PowerShell.
        $pwsh = Get-PwshCommand
        & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $PSCommandPath -Task Pester -PesterVerbosity $PesterVerbosity -SkipBuild
        if ($LASTEXITCODE -ne 0) { throw "Pester failed (exit code $LASTEXITCODE)." }
        return
    }
    Import-PesterFromNuGet
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $RepoRoot 'tests/pester'
    $config.Run.PassThru = $true
    $config.Output.Verbosity = $PesterVerbosity
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputPath = Join-Path $RepoRoot 'out/TestResults/pester.xml'
    # A backstop to each file's own isolation: the whole run gets a temporary CLAUDEPS_HOME and no keys.
    $saved = Clear-ClaudeEnvironment
    try { $result = Invoke-Pester -Configuration $config } finally { Restore-ClaudeEnvironment $saved }
    # A line CI can read: 'N passed, N failed'.
    Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $result.PassedCount, $result.FailedCount, $result.SkippedCount)
    if ($result.FailedCount -gt 0 -or $result.Result -ne 'Passed') { throw "Pester: $($result.FailedCount) test(s) failed." }
}

function Invoke-DemoTask {
    Invoke-BuildTask
    $emulator = Start-ClaudeEmulator
    # The demo's calls go to a temporary ledger (CLAUDEPS_HOME), so they never mix with the usage of real work.
    $saved = Clear-ClaudeEnvironment
    try {
        Write-Host "Emulator listening at $($emulator.BaseUri)" -ForegroundColor Cyan
        Import-Module $ModuleManifest -Force
        Connect-Claude -ApiKey (ConvertTo-SecureString 'sk-ant-demo' -AsPlainText -Force) -BaseUri $emulator.BaseUri
        Get-ClaudeConnection | Format-Table | Out-Host

        $rows = Import-Csv (Join-Path $RepoRoot 'samples/prompts.csv')
        if (Get-Command Invoke-ClaudeBatch -Module ClaudePS -ErrorAction SilentlyContinue) {
            $rows | Invoke-ClaudeBatch | Format-Table | Out-Host
        } else {
            $rows | Invoke-ClaudePrompt | Format-Table | Out-Host
        }
        if (Get-Command Get-ClaudeUsage -Module ClaudePS -ErrorAction SilentlyContinue) {
            Get-ClaudeUsage | Format-Table | Out-Host
        }
        Disconnect-Claude
    } finally {
        Restore-ClaudeEnvironment $saved
        Stop-ClaudeEmulator $emulator
    }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build'  { Invoke-BuildTask }
        'Test'   { Invoke-UnitTask; Invoke-PesterTask -SkipBuild }
        'Unit'   { Invoke-UnitTask }
        'Pester' { Invoke-PesterTask -SkipBuild:$SkipBuild }
        'Demo'   { Invoke-DemoTask }
        'All'    { Invoke-UnitTask; Invoke-PesterTask -SkipBuild; Invoke-DemoTask }
    }
}
