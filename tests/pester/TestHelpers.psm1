# Shared by build.ps1 (-Task Demo) and the Pester suite: locate the repo and the built module, start and
# stop the emulator on a free loopback port. Windows PowerShell 5.1 and PowerShell 7 compatible.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..\..')).Path

function Get-RepoRoot { $script:RepoRoot }

function Get-ModuleManifestPath {
    Join-Path $script:RepoRoot 'out/ClaudePS/ClaudePS.psd1'
}

function Get-FreeLoopbackPort {
    $listener = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback), 0
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Get-EmulatorAssembly {
    # The newest build of the emulator (Release from build.ps1, Debug from dotnet test); builds it if none.
    $project = Join-Path $script:RepoRoot 'src/ClaudePS.Emulator'
    $found = Get-ChildItem -Path (Join-Path $project 'bin') -Filter 'ClaudePS.Emulator.dll' -Recurse -ErrorAction SilentlyContinue |
        Sort-Object LastWriteTimeUtc -Descending | Select-Object -First 1
    if (-not $found) {
        & dotnet build $project -c Release --nologo | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "Building the emulator failed (exit $LASTEXITCODE)." }
        $found = Get-ChildItem -Path (Join-Path $project 'bin/Release') -Filter 'ClaudePS.Emulator.dll' -Recurse | Select-Object -First 1
    }
    $found.FullName
}

function Start-ClaudeEmulator {
    <#
    .SYNOPSIS
    Starts the ClaudePS emulator on http://127.0.0.1:<free port> and waits until it accepts connections.
    It runs the built emulator with `dotnet <dll>` (what `dotnet run --project src/ClaudePS.Emulator` runs),
    so stopping the process stops the server: `dotnet run` would leave its child running.
    #>
    [CmdletBinding()]
    param([int] $TimeoutSec = 60, [string[]] $ExtraArgs = @())

    $port = Get-FreeLoopbackPort
    $baseUri = "http://127.0.0.1:$port"
    $dll = Get-EmulatorAssembly
    $logBase = Join-Path ([System.IO.Path]::GetTempPath()) ("claudeps-emulator-$port")
    # Tests cache short prompts: lower the per-model minimum cacheable prefix unless the caller sets one.
    if ($ExtraArgs -notcontains '--cache-min-tokens') { $ExtraArgs = @('--cache-min-tokens', '0') + $ExtraArgs }
    $arguments = @("`"$dll`"", '--urls', $baseUri) + $ExtraArgs
    $process = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -PassThru -NoNewWindow `
        -RedirectStandardOutput "$logBase.out.log" -RedirectStandardError "$logBase.err.log"

    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ($true) {
        if ($process.HasExited) {
            $err = Get-Content "$logBase.err.log" -Raw -ErrorAction SilentlyContinue
            throw "The emulator exited (code $($process.ExitCode)) before it listened on $baseUri. $err"
        }
        $client = New-Object System.Net.Sockets.TcpClient
        try {
            $client.Connect([System.Net.IPAddress]::Loopback, $port)
            break
        } catch {
            if ([DateTime]::UtcNow -gt $deadline) {
                Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue
                throw "The emulator did not listen on $baseUri within $TimeoutSec s. Logs: $logBase.*.log"
            }
            Start-Sleep -Milliseconds 200
        } finally {
            $client.Close()
        }
    }
    [pscustomobject]@{ Process = $process; BaseUri = $baseUri; Port = $port; LogBase = $logBase }
}

function Stop-ClaudeEmulator {
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] $Emulator)
    process {
        if ($Emulator -and $Emulator.Process -and -not $Emulator.Process.HasExited) {
            Stop-Process -Id $Emulator.Process.Id -Force -ErrorAction SilentlyContinue
            $Emulator.Process.WaitForExit(10000) | Out-Null
        }
    }
}

function New-TestKey {
    # A key the emulator accepts (any sk-ant- key by default).
    param([string] $Value = 'sk-ant-pester-0123456789')
    ConvertTo-SecureString $Value -AsPlainText -Force
}

# Variables that steer where Connect-Claude finds a credential or an endpoint, besides ANTHROPIC_* and CLAUDEPS_*.
$script:OtherCredentialVariables = 'HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'all_proxy', 'no_proxy',
    'GOOGLE_APPLICATION_CREDENTIALS', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'MSI_SECRET'

function Clear-ClaudeEnvironment {
    <#
    .SYNOPSIS
    Isolates a test file: removes every ANTHROPIC_* and CLAUDEPS_* variable (and the proxy and cloud-identity
    ones), then points CLAUDEPS_HOME at a new temporary folder, so no test reads a real key or writes the
    user's ledger, prices or token cache. Returns what Restore-ClaudeEnvironment puts back.
    #>
    $saved = Reset-ClaudeVariables -KeepHome:$false
    if (-not $saved.ContainsKey('CLAUDEPS_HOME')) { $saved['CLAUDEPS_HOME'] = $null }
    [Environment]::SetEnvironmentVariable('CLAUDEPS_HOME', (New-TestClaudeHomeFolder))
    $saved
}

function Reset-ClaudeVariables {
    # Removes the variables Connect-Claude and the engine read (a test's own settings, between tests);
    # keeps the isolated CLAUDEPS_HOME unless told otherwise. Returns the removed values.
    param([bool] $KeepHome = $true)
    $saved = @{}
    foreach ($entry in @([Environment]::GetEnvironmentVariables().GetEnumerator())) {
        $name = "$($entry.Key)"
        if ($KeepHome -and $name -eq 'CLAUDEPS_HOME') { continue }
        if ($name -like 'ANTHROPIC_*' -or $name -like 'CLAUDEPS_*' -or $script:OtherCredentialVariables -ccontains $name) {
            $saved[$name] = "$($entry.Value)"
            [Environment]::SetEnvironmentVariable($name, $null)
        }
    }
    $saved
}

function Restore-ClaudeEnvironment {
    param([hashtable] $Saved)
    Remove-TestClaudeHomeFolder
    foreach ($name in $Saved.Keys) { [Environment]::SetEnvironmentVariable($name, $Saved[$name]) }
}

function New-TestClaudeHomeFolder {
    $folder = Join-Path ([System.IO.Path]::GetTempPath()) ("claudeps-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $folder -Force | Out-Null
    $folder
}

function Remove-TestClaudeHomeFolder {
    # Only a folder this module made: never the user's real home.
    $folder = [Environment]::GetEnvironmentVariable('CLAUDEPS_HOME')
    if ($folder -and (Split-Path $folder -Leaf) -like 'claudeps-pester-*') { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
}

function Disconnect-AllClaude {
    if (Get-Command Get-ClaudeConnection -ErrorAction SilentlyContinue) {
        Get-ClaudeConnection | ForEach-Object { Disconnect-Claude -Name $_.Name }
    }
}

function Get-PwshCommand {
    # How to start another process of this PowerShell: its executable, plus pwsh.dll when this pwsh runs as
    # a .NET tool under the dotnet host (as `dotnet pwsh` does). Use: $c = Get-PwshCommand; & $c[0] @($c[1..9]) ...
    if ($PSVersionTable.PSEdition -ne 'Core') { return , @((Join-Path $PSHOME 'powershell.exe')) }
    $processPath = [Environment]::ProcessPath
    if ([System.IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        return , @($processPath, [Environment]::GetCommandLineArgs()[0])
    }
    , @($processPath)
}

function Test-ClaudeCmdletExported {
    # Whether the built module exports a cmdlet (read from the manifest, without importing): files for
    # cmdlets that another branch adds skip themselves until that branch is merged.
    param([Parameter(Mandatory)] [string] $Name)
    $manifest = Get-ModuleManifestPath
    if (-not (Test-Path $manifest)) { return $false }
    @((Import-PowerShellDataFile $manifest).CmdletsToExport) -contains $Name
}

function Use-TestClaudeHome {
    # A new, empty CLAUDEPS_HOME (usage ledger, price overrides) inside an isolated file, for a test that
    # needs a ledger of its own; returns what Remove-TestClaudeHome restores.
    $saved = @{ CLAUDEPS_HOME = [Environment]::GetEnvironmentVariable('CLAUDEPS_HOME') }
    [Environment]::SetEnvironmentVariable('CLAUDEPS_HOME', (New-TestClaudeHomeFolder))
    $saved
}

function Get-TestClaudeHome { [Environment]::GetEnvironmentVariable('CLAUDEPS_HOME') }

function Remove-TestClaudeHome {
    param([hashtable] $Saved)
    Restore-ClaudeEnvironment $Saved
}

# The usual test session: an emulator, a clean ANTHROPIC_* environment, a temporary usage ledger,
# the module imported and connected to the emulator. Stop-ClaudeTestSession undoes all of it.
function Start-ClaudeTestSession {
    $session = @{
        Emulator = Start-ClaudeEmulator
        Saved    = Clear-ClaudeEnvironment
    }
    Import-Module (Get-ModuleManifestPath) -Force -Global
    Connect-Claude -ApiKey (New-TestKey) -BaseUri $session.Emulator.BaseUri
    $session
}

function Stop-ClaudeTestSession {
    param([Parameter(Mandatory)] [hashtable] $Session)
    Disconnect-AllClaude
    Restore-ClaudeEnvironment $Session.Saved
    Stop-ClaudeEmulator $Session.Emulator
}

Export-ModuleMember -Function Start-ClaudeTestSession, Stop-ClaudeTestSession
Export-ModuleMember -Function Test-ClaudeCmdletExported, Use-TestClaudeHome, Get-TestClaudeHome, Remove-TestClaudeHome
Export-ModuleMember -Function Get-RepoRoot, Get-ModuleManifestPath, Get-FreeLoopbackPort, Get-EmulatorAssembly,
    Start-ClaudeEmulator, Stop-ClaudeEmulator, New-TestKey, Clear-ClaudeEnvironment, Restore-ClaudeEnvironment, Reset-ClaudeVariables,
    Disconnect-AllClaude, Get-PwshCommand
