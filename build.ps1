<#
.SYNOPSIS
Builds, tests and demonstrates ClaudePS. Runs on Windows PowerShell 5.1 and PowerShell 7.

.PARAMETER Task
Build  : dotnet build ModuleTools.sln -c Release (lays out out/ClaudePS).
Test   : dotnet test ModuleTools.sln (the xunit suites).
Pester : the Pester 5 suite in tests/pester against the emulator (installs Pester 5 for the current user if missing).
Demo   : build, start the emulator on a free loopback port, import the module, push samples/prompts.csv
         through Invoke-ClaudeBatch (or Invoke-ClaudePrompt), show usage, stop the emulator.
All    : Build, Test, Pester, Demo.

.EXAMPLE
./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Demo', 'All')]
    [string[]] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
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

function Invoke-TestTask {
    Invoke-Dotnet test $Solution --nologo
}

function Invoke-PesterTask {
    if (-not (Test-Path $ModuleManifest)) { Invoke-BuildTask }
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.0.0' } |
        Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) {
        Write-Host 'Installing Pester 5 for the current user.' -ForegroundColor Cyan
        if (-not (Get-PackageProvider -ListAvailable -Name NuGet -ErrorAction SilentlyContinue)) {
            Install-PackageProvider -Name NuGet -MinimumVersion 2.8.5.201 -Scope CurrentUser -Force | Out-Null
        }
        # SkipPublisherCheck: Windows ships Pester 3 signed by another publisher.
        Install-Module -Name Pester -MinimumVersion 5.5.0 -Scope CurrentUser -Force -SkipPublisherCheck -AllowClobber
    }
    Import-Module Pester -MinimumVersion 5.0.0 -Force
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $RepoRoot 'tests/pester'
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $config
    # A line CI can read: 'N passed, N failed'.
    Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $result.PassedCount, $result.FailedCount, $result.SkippedCount)
    if ($result.FailedCount -gt 0 -or $result.Result -ne 'Passed') { throw "Pester: $($result.FailedCount) test(s) failed." }
}

function Invoke-DemoTask {
    Invoke-BuildTask
    $emulator = Start-ClaudeEmulator
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
        'Test'   { Invoke-TestTask }
        'Pester' { Invoke-PesterTask }
        'Demo'   { Invoke-DemoTask }
        'All'    { Invoke-BuildTask; Invoke-TestTask; Invoke-PesterTask; Invoke-DemoTask }
    }
}
