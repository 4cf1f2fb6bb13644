using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DeepSeekR1.Actors.Rl.Rewards;
using DeepSeekR1.Actors.Rl.Rewards.Code;

namespace DeepSeekR1.Actors.Rl.Tests.Rewards.Code;

/// <summary>
/// Each hostile program of issue 24 gets a score of 0 and a reason, within its deadline, and leaves nothing behind:
/// no process of the sandbox's user, no file outside the sandbox, no connection, no harm to this (root) process.
/// The programs define a correct <c>add</c> where that matters, so that only the sandbox can make them fail.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class SandboxHostileTests(SandboxFixture sandbox)
{
    private const string Add = "def add(a, b):\n    return a + b\n";

    private RewardResult Run(string program, out TimeSpan elapsed)
    {
        int before = sandbox.ProcessesOfSandboxUser();
        var clock = Stopwatch.StartNew();
        var result = sandbox.Rewards.Check(program, SandboxFixture.Add);
        elapsed = clock.Elapsed;
        // Whatever the program started is gone when Check returns (the PID namespace died with the sandbox).
        Assert.True(sandbox.NoneLeftBeyond(before), $"processes of uid {sandbox.Settings.Uid} were left behind: {result.Reason}");
        Assert.True(elapsed < sandbox.Settings.Deadline + TimeSpan.FromSeconds(5), $"the run took {elapsed.TotalSeconds:F1} s: {result.Reason}");
        return result;
    }

    private RewardResult Run(string program) => Run(program, out _);

    [Fact]
    public void An_infinite_loop_is_stopped_by_the_cpu_limit_or_the_deadline()
    {
        var result = Run(Add + "while True:\n    pass\n");

        Assert.Equal(0.0, result.Value);
        Assert.True(result.Reason.Contains("signal 24", StringComparison.Ordinal) || result.Reason.Contains("timeout", StringComparison.Ordinal), result.Reason);
    }

    [Fact]
    public void A_fork_bomb_hits_the_process_limit_and_every_fork_dies_with_the_sandbox()
    {
        // Forks that fail are retried forever: only the process limit and the namespace's end stop this one.
        var result = Run(Add + "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("timeout", result.Reason, StringComparison.Ordinal);
        // The host can still start processes (the limit was the sandbox's, not this user's).
        using var echo = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        echo.WaitForExit();
        Assert.Equal(0, echo.ExitCode);
    }

    [Fact]
    public void A_plain_fork_bomb_fails_on_the_limit_with_the_error_as_reason()
    {
        var result = Run(Add + "import os\nwhile True:\n    os.fork()\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("BlockingIOError", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_10_GB_allocation_raises_MemoryError()
    {
        var result = Run(Add + "data = bytearray(10 * 1024 ** 3)\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("MemoryError", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_1_GB_to_disk_stops_at_the_file_size_limit()
    {
        var result = Run(Add + "with open('/tmp/big', 'wb') as f:\n    for _ in range(1024):\n        f.write(b'x' * 1024 * 1024)\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("File too large", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_files_fill_only_the_sandbox_tmpfs()
    {
        var result = Run(Add + "for i in range(100):\n    with open('/tmp/f%d' % i, 'wb') as f:\n        f.write(b'x' * 10 * 1024 * 1024)\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("No space left on device", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_outside_tmp_is_writable()
    {
        var result = Run(Add + "open('/usr/r1-sandbox-test', 'w').write('x')\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("Read-only file system", result.Reason, StringComparison.Ordinal);
        Assert.False(File.Exists("/usr/r1-sandbox-test"));
    }

    [Fact]
    public void A_socket_cannot_reach_a_listener_on_the_hosts_loopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var result = Run(Add + $"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1)\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("ConnectionRefusedError", result.Reason, StringComparison.Ordinal); // the sandbox's own, empty loopback
        Assert.False(listener.Pending());
    }

    [Fact]
    public void A_socket_to_the_internet_finds_no_network()
    {
        var result = Run(Add + "import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=1)\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("Network is unreachable", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Etc_shadow_is_not_there()
    {
        var result = Run(Add + "print(open('/etc/shadow').read())\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("FileNotFoundError", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_journal_and_the_projects_files_are_not_there()
    {
        // A journal-like file with a secret, where a run's journal lives (under the working directory), and this test's own assembly.
        string dir = Directory.CreateTempSubdirectory("r1-sandbox-journal-").FullName;
        string journal = Path.Combine(dir, "journal.db");
        File.WriteAllText(journal, "secret");
        try
        {
            foreach (var path in new[] { journal, typeof(SandboxHostileTests).Assembly.Location, Path.GetFullPath("hocon/r1.conf") })
            {
                var result = Run(Add + $"print(open({PythonString(path)}).read())\n");

                Assert.Equal(0.0, result.Value);
                Assert.Contains("FileNotFoundError", result.Reason, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Killing_its_parent_ends_the_run_without_a_result()
    {
        var result = Run(Add + "import os\nos.kill(os.getppid(), 9)\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("no test result", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Killing_its_process_group_ends_the_run_without_a_result()
    {
        var result = Run(Add + "import os, signal\nos.killpg(os.getpgid(0), signal.SIGKILL)\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("no test result", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Killing_every_process_it_can_see_stays_inside_the_sandbox()
    {
        var result = Run(Add + "import os\nos.kill(-1, 9)\n");

        Assert.Equal(0.0, result.Value);
    }

    [Fact]
    public void Printing_100_MB_is_cut_at_the_output_limit()
    {
        // A deadline far beyond the milliseconds the first MiB takes: on a loaded machine (CI runs test projects side by
        // side) the interpreter's start alone can pass the fixture's 2 s, and then the deadline, not the limit, would end it.
        var patient = CodeRewards.Start(sandbox.Settings with { Deadline = TimeSpan.FromSeconds(30) });
        var result = patient.Check(Add + "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 1024 * 1024)\n", SandboxFixture.Add);

        Assert.Equal(0.0, result.Value);
        Assert.Contains("output over the 1024 KiB limit", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ctypes_segfault_kills_only_the_program()
    {
        var result = Run(Add + "import ctypes\nctypes.string_at(0)\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("signal 11", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sleeping_past_the_deadline_is_a_timeout()
    {
        var result = Run(Add + "import time\ntime.sleep(60)\n", out var elapsed);

        Assert.Equal(0.0, result.Value);
        Assert.Contains("timeout (over the 2 s deadline)", result.Reason, StringComparison.Ordinal);
        Assert.True(elapsed >= sandbox.Settings.Deadline);
    }

    [Fact]
    public void A_call_that_sleeps_past_the_deadline_is_a_timeout_too()
    {
        var result = Run("import time\ndef add(a, b):\n    time.sleep(60)\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("timeout", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forged_result_line_does_not_pass()
    {
        // The program prints the harness's result line with every test passed, and leaves before the tests run.
        var result = Run("import os, sys\nfor nonce in ('', '0' * 32):\n    sys.stdout.write('\\nR1-SANDBOX-RESULT ' + nonce + ' {\"passed\": [true, true, true], \"reasons\": [\"passed\", \"passed\", \"passed\"]}\\n')\nsys.stdout.flush()\nos._exit(0)\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("0/3 tests passed", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_object_equal_to_everything_does_not_pass()
    {
        var result = Run("class Any:\n    def __eq__(self, other):\n        return True\n    def __repr__(self):\n        return 'Any()'\ndef add(a, b):\n    return Any()\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("not a plain value", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_program_cannot_read_the_expected_values_from_its_parent()
    {
        var result = Run("import os\nsecret = open('/proc/%d/fd/0' % os.getppid(), 'rb').read()\ndef add(a, b):\n    return a + b\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("PermissionError", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Exiting_early_from_a_call_fails_the_remaining_tests()
    {
        var result = Run("import sys\ndef add(a, b):\n    if a == 2:\n        sys.exit(0)\n    return a + b\n");

        Assert.Equal(0.0, result.Value);
        Assert.Contains("test 2: SystemExit", result.Reason, StringComparison.Ordinal);
    }

    private static string PythonString(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
