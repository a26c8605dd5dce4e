#!/usr/bin/env pwsh
# The kill -9 crash test with a larger N than the test suite runs: a checkpointed batch with a ledger is
# killed at random moments N times, resumed each time, then finished; the test checks every row once in
# the output, no checkpointed row sent again, and the ledger against the emulator's accounting, and
# prints the figures (kills, replies cut off by a kill, ledger gaps).
#   dotnet pwsh -NoProfile -File bench/scripts/crash-resume.ps1 -Runs 50
param([int] $Runs = 50)
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
$env:CLAUDEPS_CRASH_RUNS = "$Runs"
try {
    dotnet test (Join-Path $root 'tests/ClaudePS.Engine.Tests') -c Release --nologo `
        --filter 'FullyQualifiedName~CrashResumeTests' --logger 'console;verbosity=detailed'
    if ($LASTEXITCODE -ne 0) { throw "the crash test failed (exit $LASTEXITCODE)" }
} finally {
    Remove-Item Env:CLAUDEPS_CRASH_RUNS -ErrorAction SilentlyContinue
}
