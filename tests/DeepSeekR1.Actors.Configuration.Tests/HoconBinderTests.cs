using Akka.Configuration;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Configuration.Tests;

public class HoconBinderTests
{
    public enum Mode { Fast, VerySlow }

    // A settings record shaped as the real ones: required properties, no values of their own.
    public sealed record Sample
    {
        public required int GroupSize { get; init; }
        public required double TopP { get; init; }
        public required Mode Mode { get; init; }
        public required IReadOnlyList<int> Layers { get; init; }
        public required TimeSpan Timeout { get; init; }
    }

    private static Config Hocon(string text) => ConfigurationFactory.ParseString(text);

    private const string Complete = "s { group-size = 8, top-p = 0.95, mode = very-slow, layers = [1, 3], timeout = 5s }";

    [Fact]
    public void Every_property_is_read_from_its_kebab_key()
    {
        var s = HoconBinder.Bind<Sample>(Hocon(Complete), "s");
        Assert.Equal(new Sample { GroupSize = 8, TopP = 0.95, Mode = Mode.VerySlow, Layers = s.Layers, Timeout = TimeSpan.FromSeconds(5) }, s);
        Assert.Equal([1, 3], s.Layers);
    }

    [Fact]
    public void A_property_without_a_key_is_an_error_naming_both()
    {
        var e = Assert.Throws<ConfigException>(() => HoconBinder.Bind<Sample>(Hocon("s { group-size = 8, top-p = 1, mode = fast, layers = [] }"), "s"));
        Assert.Contains("'s.timeout'", e.Message);
        Assert.Contains("Sample.Timeout", e.Message);
    }

    [Fact]
    public void A_key_without_a_property_is_an_error_naming_it()
    {
        var e = Assert.Throws<ConfigException>(() => HoconBinder.Bind<Sample>(Hocon(Complete).WithFallback(Hocon("s.group-sise = 4")), "s"));
        Assert.Contains("'s.group-sise'", e.Message);
    }

    [Theory]
    [InlineData("top-p = NaN", "'s.top-p'")]
    [InlineData("mode = medium", "fast, very-slow")]
    [InlineData("group-size = 8.5", "'s.group-size'")]
    public void A_bad_value_names_the_key_or_the_choices(string assignment, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => HoconBinder.Bind<Sample>(Hocon($"s {{ {assignment} }}").WithFallback(Hocon(Complete)), "s"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_missing_section_is_named()
    {
        Assert.Contains("'t'", Assert.Throws<ConfigException>(() => HoconBinder.Bind<Sample>(Hocon(Complete), "t")).Message);
    }
}
