namespace DeepSeekR1.Actors.Engine.Tests.Cluster;

/// <summary>
/// The PostgreSQL server stops mid-step (connections cut, as when its host fails) and comes back a little later: the
/// entities whose writes failed stop and come back (the learner through its back-off supervisor, the run and the
/// groups when the driver's next StartRun reaches them) and the run finishes with every fact journaled once.
/// </summary>
[Collection(ClusterCollection.Name)]
public class JournalOutageTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_journal_outage_mid_step_delays_the_run_and_loses_nothing()
    {
        // Enough steps that the run is still writing when the server goes down: a step of this tiny run takes a tenth of
        // a second once the cluster is warm, less than the test takes to see the marker and stop the server, so with
        // three steps the run could finish before the outage began (it did, once the sampler got faster in session 6).
        using var cluster = new ClusterHarness(postgres, "outage", steps: 30);
        int pbmPort = PostgresServer.FreePort();
        var learner = await cluster.StartNode("learner", cluster.SeedPort, pbmPort);
        var worker = await cluster.StartNode("rollout,reward", PostgresServer.FreePort());

        var driver = cluster.StartDriver();
        Assert.True(await worker.WaitForLine("r1-engine: sampling step=2", TimeSpan.FromSeconds(180)), ClusterHarness.Output(driver, learner, worker));
        postgres.Stop();
        var outage = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            // pbm says so: the run's status names the journal as unavailable instead of failing.
            var (pbmExit, answer, pbmOutput) = await cluster.Pbm(pbmPort, "run", "status");
            Assert.True(pbmExit == 0, pbmOutput);
            Assert.StartsWith("unavailable", (string?)answer?["rows"]?[0]?["journal"] ?? "", StringComparison.Ordinal);
            var rest = TimeSpan.FromSeconds(8) - outage.Elapsed;
            if (rest > TimeSpan.Zero) await Task.Delay(rest);
        }
        finally
        {
            postgres.Start();
        }

        int exit = await driver.WaitForExit(TimeSpan.FromSeconds(300));
        Assert.True(exit == 0, ClusterHarness.Output(driver, learner, worker));
        cluster.AssertJournalComplete();
        // And once the journal is back, the status reads it again.
        var (_, after, afterOutput) = await cluster.Pbm(pbmPort, "run", "status");
        Assert.True((string?)after?["rows"]?[0]?["journal"] == "ok", afterOutput);
        // The outage did hit the journal's writers, and they said so.
        var said = learner.Lines.Concat(worker.Lines).Concat(driver.Lines)
            .Where(l => l.Contains("[ERROR]", StringComparison.Ordinal) && l.Contains("persist", StringComparison.OrdinalIgnoreCase)).ToArray();
        Assert.True(said.Length > 0, ClusterHarness.Output(driver, learner, worker));
    }
}
