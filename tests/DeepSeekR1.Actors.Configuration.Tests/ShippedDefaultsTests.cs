using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Configuration.Tests;

public class ShippedDefaultsTests
{
    private static string HoconFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "hocon", "r1.conf"))) return Path.Combine(dir.FullName, "hocon");
        throw new DirectoryNotFoundException("hocon/ not found above the test binary");
    }

    [Fact]
    public void The_compiled_in_defaults_are_the_files_in_hocon_byte_for_byte()
    {
        foreach (var file in ShippedDefaults.Files)
            Assert.Equal(File.ReadAllText(Path.Combine(HoconFolder(), file)), ShippedDefaults.Text(file));
    }

    [Fact]
    public void Later_files_win_and_every_file_contributes()
    {
        // grpo.conf owns r1.grpo, eval.conf r1.eval, local.conf r1.engine: each is present in the merge.
        foreach (var path in new[] { "r1.seed", "r1.model.hidden-size", "r1.grpo.steps", "r1.sft.batch-size", "r1.eval.samples", "r1.engine.snapshot-every" })
            Assert.True(ShippedDefaults.Config.HasPath(path), path);
    }

    [Fact]
    public void A_file_that_is_not_shipped_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => ShippedDefaults.Text("cluster.conf"));
        Assert.Contains("'cluster.conf'", e.Message);
    }
}
