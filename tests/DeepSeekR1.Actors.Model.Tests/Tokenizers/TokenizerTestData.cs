using DeepSeekR1.Actors.Model.Tokenizers;

namespace DeepSeekR1.Actors.Model.Tests.Tokenizers;

/// <summary>Sample texts and paths shared by the tokenizer tests.</summary>
internal static class TokenizerTestData
{
    public const string English = "The quick brown fox jumps over the lazy dog. Wait, is 12 * 34 = 408? Let me verify.";
    public const string Chinese = "我们来验证一下：十二乘以三十四等于四百零八。数学很有趣 🙂";
    public const string Code = "public static int Add(int a, int b)\n{\n    return a + b; // sum\n}\n\tif (x != null) { y = x?.Length ?? 0; }\r\n";

    public static TheoryData<string> RoundTripTexts => new() { English, Chinese, Code };

    /// <summary>The repository root, found by walking up from the test binaries (fixtures are read in place).</summary>
    public static string RepoRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !Directory.Exists(Path.Combine(directory.FullName, "src", "DeepSeekR1.Actors.Model")))
            {
                directory = directory.Parent;
            }
            return directory?.FullName ?? throw new DirectoryNotFoundException("Repository root not found above " + AppContext.BaseDirectory);
        }
    }

    public static string BuiltinDirectory => Path.Combine(RepoRoot, "src", "DeepSeekR1.Actors.Model", "Tokenizers", "Builtin");

    public static string FixtureDirectory(string name) =>
        Path.Combine(RepoRoot, "tests", "DeepSeekR1.Actors.Model.Tests", "Tokenizers", "Fixtures", name);

    private static readonly Lazy<BuiltinTokenizer> SharedBuiltin = new(() => BuiltinTokenizer.Load(BuiltinDirectory));

    /// <summary>The committed built-in tokenizer, loaded once.</summary>
    public static BuiltinTokenizer Builtin => SharedBuiltin.Value;
}
