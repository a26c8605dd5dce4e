#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# What only a real host shows: Ctrl+C (StopProcessing) on a prompt, a stream and a batch; runspaces of
# ForEach-Object -Parallel and thread jobs; Remove-Module and Import-Module in one session; a runbook-style
# `pwsh -NonInteractive -File` run with -Stream, whose standard output must be exactly its objects.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Session = Start-ClaudeTestSession
    # Replies that take 30 s to start, and a stream of two tokens a second: long enough that only a stop ends them.
    $script:Slow = Start-ClaudeEmulator -ExtraArgs '--latency-ms', '30000'
    $script:Trickle = Start-ClaudeEmulator -ExtraArgs '--tokens-per-second', '2', '--reply-tokens', '60'
    $script:Manifest = Get-ModuleManifestPath
    Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Slow.BaseUri -Name slow
    Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Trickle.BaseUri -Name trickle
    Connect-Claude -ApiKey (New-TestKey) -BaseUri $script:Session.Emulator.BaseUri   # back to the default

    function Get-OpenConnectionCount([int] $Port) {
        # Client-side sockets of this process (and any other) to the emulator that are still open.
        @([System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties().GetActiveTcpConnections() |
            Where-Object { $_.RemoteEndPoint.Port -eq $Port -and $_.State -eq 'Established' }).Count
    }

    function Stop-AfterStart {
        # Runs $Script in a new runspace of this process (as a second pipeline would), waits until the
        # emulator has a connection from it, then stops it as Ctrl+C does. Returns how long the stop took.
        param([string] $Script, [int] $Port)
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$($script:Manifest)'; $Script")
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((Get-OpenConnectionCount $Port) -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Start-Sleep -Milliseconds 300   # the request is on the wire
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Stop()
            [pscustomobject]@{ Elapsed = $watch.Elapsed; State = $ps.InvocationStateInfo.State; Completed = $handle.IsCompleted }
        } finally { $ps.Dispose() }
    }

    function Wait-NoOpenConnection([int] $Port) {
        $deadline = [DateTime]::UtcNow.AddSeconds(5)
        while ((Get-OpenConnectionCount $Port) -gt 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        Get-OpenConnectionCount $Port
    }
}

AfterAll {
    Stop-ClaudeEmulator $script:Slow
    Stop-ClaudeEmulator $script:Trickle
    Stop-ClaudeTestSession $script:Session
}

Describe 'Ctrl+C (StopProcessing)' {
    # The reply would take 30 s; the stop must end the command at once and close the request's connection.
    # The bound is generous for a busy CI machine; the note reports what was measured.
    It 'stops <What> and cancels the request' -TestCases @(
        @{ What = 'a prompt waiting for its reply'; Script = "Invoke-ClaudePrompt 'wait for me' -Connection slow"; Emulator = 'Slow' }
        @{ What = 'a stream in the middle'; Script = "Invoke-ClaudePrompt 'a long story' -Stream -Connection trickle"; Emulator = 'Trickle' }
        @{ What = 'a batch with rows in flight'; Script = "1..20 | ForEach-Object { 'row ' + `$_ } | Invoke-ClaudeBatch -ThrottleLimit 4 -Connection slow"; Emulator = 'Slow' }
    ) {
        $port = (Get-Variable -Scope Script -Name $Emulator -ValueOnly).Port
        $stop = Stop-AfterStart -Script $Script -Port $port
        $stop.State | Should -Be 'Stopped'
        $stop.Elapsed.TotalSeconds | Should -BeLessThan 5
        Wait-NoOpenConnection $port | Should -Be 0
    }
}

Describe 'runspaces and thread jobs' {
    It 'ForEach-Object -Parallel uses the default connection of the parent session' {
        $texts = 1..3 | ForEach-Object -Parallel {
            Import-Module $using:Manifest
            (Invoke-ClaudePrompt "parallel $_").Text
        } -ThrottleLimit 3
        @($texts).Count | Should -Be 3
        $texts | ForEach-Object { $_ | Should -Not -BeNullOrEmpty }
    }

    It 'Start-ThreadJob uses the default connection of the parent session' {
        $endpoint = Start-ThreadJob {
            Import-Module $using:Manifest
            (Invoke-ClaudePrompt 'from a thread job').Endpoint
        } | Receive-Job -Wait -AutoRemoveJob
        $endpoint | Should -BeLike "$($script:Session.Emulator.BaseUri)*"
    }
}

Describe 'module lifetime' {
    It 'Remove-Module then Import-Module in one session keeps working, connections included' {
        Remove-Module ClaudePS
        Get-Command Invoke-ClaudePrompt -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Import-Module $script:Manifest
        (Get-ClaudeConnection).Name | Should -Contain 'default'
        $r = Invoke-ClaudePrompt 'after a re-import'
        $r | Should -BeOfType ([ClaudePS.ClaudeResponse])
        $r.Text | Should -Not -BeNullOrEmpty
    }
}

Describe '-Stream in a non-interactive host' {
    BeforeAll {
        $script:Runbook = Join-Path $TestDrive 'runbook.ps1'
        Set-Content -Path $script:Runbook -Value @"
Import-Module '$($script:Manifest)'
Connect-Claude -ApiKey (ConvertTo-SecureString 'sk-ant-runbook-0123456789' -AsPlainText -Force) -BaseUri '$($script:Session.Emulator.BaseUri)'
`$r = Invoke-ClaudePrompt 'Report the status of the nightly job.' -Stream -InformationVariable live
[pscustomobject]@{
    Text = `$r.Text
    Live = (`$live | Where-Object { `$_.Tags -contains 'ClaudePS.LiveText' } | ForEach-Object { [string]`$_.MessageData }) -join ''
} | ConvertTo-Json -Compress
"@
        $script:Pwsh = Get-PwshCommand
    }

    It 'pwsh -NonInteractive -File: standard output is exactly the objects, and the live text is in the information stream' {
        $stdout = & $script:Pwsh[0] @($script:Pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $script:Runbook
        $LASTEXITCODE | Should -Be 0
        @($stdout).Count | Should -Be 1
        $result = $stdout | ConvertFrom-Json
        $result.Text | Should -Not -BeNullOrEmpty
        $result.Live.TrimEnd("`r", "`n") | Should -Be $result.Text   # the stream ends with a line break
    }

    It 'in this process the pipeline gets one object, and the live text only the information stream' {
        $all = Invoke-ClaudePrompt 'Count to five.' -Stream 6>&1
        $responses = @($all | Where-Object { $_ -is [ClaudePS.ClaudeResponse] })
        $responses.Count | Should -Be 1
        $live = ($all | Where-Object { $_ -is [System.Management.Automation.InformationRecord] -and $_.Tags -contains 'ClaudePS.LiveText' } |
            ForEach-Object { [string]$_.MessageData }) -join ''
        $live.TrimEnd("`r", "`n") | Should -Be $responses[0].Text
    }
}
