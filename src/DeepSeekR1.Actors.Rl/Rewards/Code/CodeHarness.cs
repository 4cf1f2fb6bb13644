using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DeepSeekR1.Actors.Rl.Rewards.Code;

/// <summary>What the harness reported for one run: per test, passed or not, and why.</summary>
/// <param name="Passed">One entry per test, in order.</param>
/// <param name="Reasons">One reason per test (<c>passed</c>, <c>wrong result 4</c>, <c>ZeroDivisionError: ...</c>).</param>
public sealed record HarnessReport(IReadOnlyList<bool> Passed, IReadOnlyList<string> Reasons);

/// <summary>
/// The Python side of the code reward (<c>harness.py</c>, embedded): how its input is framed and its result line read.
/// The harness forks; the child runs the program and the tests' calls, the parent compares the results with the
/// expected values it reads only after the child has closed stdin, and prints one result line authenticated by a
/// random nonce the program never sees (docs/sandbox.md).
/// </summary>
public static class CodeHarness
{
    private const string Mark = "R1-SANDBOX-RESULT";

    /// <summary>The harness's source.</summary>
    public static string Script { get; } = LoadScript();

    /// <summary>The <c>python3 -I</c> arguments that run the harness with a backstop alarm just after the deadline.</summary>
    public static IReadOnlyList<string> Arguments(TimeSpan deadline) =>
        ["-c", Script, ((int)Math.Ceiling(deadline.TotalSeconds) + 1).ToString(CultureInfo.InvariantCulture)];

    /// <summary>A fresh random nonce (128 bits, hex).</summary>
    public static string NewNonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>The harness's stdin: the program and calls, then the nonce and expected values, each a length-prefixed JSON frame.</summary>
    public static byte[] Input(string program, IReadOnlyList<CodeTest> tests, string nonce)
    {
        byte[] first = JsonSerializer.SerializeToUtf8Bytes(new { program, calls = tests.Select(t => t.Call).ToArray() });
        byte[] second = JsonSerializer.SerializeToUtf8Bytes(new { nonce, expected = tests.Select(t => t.Expected).ToArray() });
        using var stream = new MemoryStream();
        foreach (var frame in new[] { first, second })
        {
            stream.Write(Encoding.ASCII.GetBytes(frame.Length.ToString(CultureInfo.InvariantCulture) + "\n"));
            stream.Write(frame);
        }
        return stream.ToArray();
    }

    /// <summary>The report on the line carrying <paramref name="nonce"/>, or null when there is none (or it is malformed).</summary>
    public static HarnessReport? Read(string output, string nonce, int tests)
    {
        string prefix = $"{Mark} {nonce} ";
        foreach (var line in output.Split('\n').Reverse())
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal)) continue;
            try
            {
                using var document = JsonDocument.Parse(line[prefix.Length..]);
                var passed = document.RootElement.GetProperty("passed").EnumerateArray().Select(e => e.GetBoolean()).ToArray();
                var reasons = document.RootElement.GetProperty("reasons").EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
                return passed.Length == tests && reasons.Length == tests ? new HarnessReport(passed, reasons) : null;
            }
            catch (Exception error) when (error is JsonException or InvalidOperationException or KeyNotFoundException)
            {
                return null;
            }
        }
        return null;
    }

    private static string LoadScript()
    {
        using var stream = typeof(CodeHarness).Assembly.GetManifestResourceStream("code-reward/harness.py")
            ?? throw new InvalidOperationException("harness.py is not embedded in the Rl assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
