using DeepSeekR1.Actors.Engine.Pbm;

namespace DeepSeekR1.Actors.Engine.Tests.Pbm;

/// <summary>Where a host's token comes from, how it is compared, and how typos find their closest name.</summary>
public class PbmTokenTests
{
    private static PbmSettings Settings(string token = "", string tokenEnv = "") => new() { Enabled = true, Host = "127.0.0.1", Port = 0, Token = token, TokenEnv = tokenEnv };

    [Fact]
    public void The_configured_token_wins_then_the_environment_then_a_generated_owner_only_file()
    {
        using var dir = new TempDir();
        string variable = $"R1_PBM_TEST_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, "from-env");
        try
        {
            Assert.Equal(("from-config", "r1.pbm.token", (string?)null), Parts(PbmToken.Resolve(Settings("from-config", variable), dir.Path)));
            Assert.Equal(("from-env", "$" + variable, (string?)null), Parts(PbmToken.Resolve(Settings(tokenEnv: variable), dir.Path)));
        }
        finally { Environment.SetEnvironmentVariable(variable, null); }
        Assert.False(File.Exists(Path.Combine(dir.Path, PbmSettings.TokenFileName)));

        var generated = PbmToken.Resolve(Settings(tokenEnv: variable), dir.Path);
        string file = Path.Combine(dir.Path, PbmSettings.TokenFileName);
        Assert.Equal(Path.GetFullPath(file), generated.File);
        Assert.Matches("^[0-9a-f]{48}$", generated.Value);
        Assert.Equal(generated.Value + "\n", File.ReadAllText(file));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        // A restart generates a new one; the file keeps owner-only access even if someone loosened it.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var again = PbmToken.Resolve(Settings(), dir.Path);
        Assert.NotEqual(generated.Value, again.Value);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public void A_token_accepts_itself_only()
    {
        var token = new PbmToken("s3cret", "test", null);
        Assert.True(token.Accepts("s3cret"));
        Assert.False(token.Accepts("s3cre"));
        Assert.False(token.Accepts("s3cret "));
        Assert.False(token.Accepts("S3CRET"));
        Assert.False(token.Accepts(""));
        Assert.False(token.Accepts(null));
    }

    [Fact]
    public void A_typo_finds_the_closest_name_and_a_far_guess_finds_none()
    {
        string[] commands = ["list", "status", "pause", "resume", "stop", "metrics", "checkpoints"];
        Assert.Equal("status", ClosestName.Find("stauts", commands));   // two letters swapped: one edit
        Assert.Equal("metrics", ClosestName.Find("metric", commands));
        Assert.Equal("checkpoints", ClosestName.Find("check", commands));   // an unambiguous prefix
        Assert.Equal("resume", ClosestName.Find("RESUME", commands));
        Assert.Null(ClosestName.Find("deploy", commands));
        Assert.Equal(1, ClosestName.Distance("stauts", "status"));
        Assert.Equal(3, ClosestName.Distance("", "abc"));
        Assert.Equal(" (did you mean '--id'?)", ClosestName.Hint("idd", ["id", "last"], "--"));
        Assert.Equal("", ClosestName.Hint("zzz", ["id", "last"]));
    }

    private static (string, string, string?) Parts(PbmToken t) => (t.Value, t.Source, t.File);
}
