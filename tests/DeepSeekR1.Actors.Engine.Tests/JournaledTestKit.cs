using Akka.Configuration;
using Akka.TestKit.Xunit2;
using DeepSeekR1.Actors.Engine.Hosting;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>
/// A TestKit whose actor system journals to a real SQLite file in a temporary folder of its own (deleted afterwards),
/// with a local provider: entities driven one at a time need no cluster.
/// </summary>
public abstract class JournaledTestKit : TestKit
{
    private readonly TempDir data;

    /// <summary>Starts the system <paramref name="systemName"/> on a fresh journal.</summary>
    protected JournaledTestKit(string systemName) : this(new TempDir(), systemName) { }

    /// <summary>
    /// Starts the system <paramref name="systemName"/> on the journal that <paramref name="prepare"/> puts into the fresh
    /// folder first (a copy of a committed fixture, say).
    /// </summary>
    protected JournaledTestKit(string systemName, Action<string> prepare) : this(Prepared(prepare), systemName) { }

    private JournaledTestKit(TempDir data, string systemName) : base(SystemConfig(data.Path), systemName) => this.data = data;

    /// <summary>The folder that holds the journal (and the runs' files).</summary>
    protected string DataPath => data.Path;

    /// <inheritdoc />
    protected override void AfterAll()
    {
        base.AfterAll();
        data.Dispose();
    }

    private static TempDir Prepared(Action<string> prepare)
    {
        var data = new TempDir();
        prepare(data.Path);
        return data;
    }

    private static Config SystemConfig(string dir)
    {
        EngineConfig.PrepareJournalFile(dir);
        return EngineConfig.ForDataDirectory(dir, ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(TinyRuns.Overrides));
    }
}
