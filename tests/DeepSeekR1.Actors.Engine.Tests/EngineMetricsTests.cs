using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Akka.Configuration;
using DeepSeekR1.Actors.Engine.Hosting;

namespace DeepSeekR1.Actors.Engine.Tests;

/// <summary>The engine's operator metrics: measured as a run goes, and sent to an OTLP endpoint when one is configured.</summary>
public class EngineMetricsTests
{
    [Fact]
    public async Task A_run_measures_its_steps_checkpoints_and_tokens_and_exports_them_over_otlp()
    {
        const string runId = "metered";
        var measured = new ConcurrentQueue<(string Name, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EngineMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        // Other tests run engines in this process too: only this run's measurements count.
        void Take(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
                if (tag is { Key: "run", Value: runId }) measured.Enqueue((instrument.Name, value));
        }
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Take(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Take(i, v, tags));
        listener.Start();

        // A real HTTP endpoint on loopback standing in for an OpenTelemetry collector.
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var posts = new ConcurrentQueue<(string Path, byte[] Body)>();
        var receiving = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                HttpListenerContext context;
                try { context = await collector.GetContextAsync(); }
                catch (Exception) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                posts.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        using var dir = new TempDir();
        var overrides = ConfigurationFactory.ParseString($"""
            r1.telemetry.otlp-endpoint = "http://127.0.0.1:{port}"
            r1.telemetry.export-interval = 1s
            """).WithFallback(TinyRuns.Overrides);
        var host = await EngineHost.StartAsync(TinyRuns.Run(dir.Path, runId), dir.Path, overrides);
        try { await host.RunAsync(new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token); }
        finally { await host.DisposeAsync(); }   // the exporter sends what is left
        collector.Stop();
        await receiving;

        double[] Of(string name) => measured.Where(m => m.Name == name).Select(m => m.Value).ToArray();
        Assert.Equal(TinyRuns.Grpo.Steps, Of("r1.steps").Sum());
        Assert.Equal(TinyRuns.Grpo.Steps, Of("r1.checkpoint.duration").Length);
        Assert.All(Of("r1.checkpoint.duration").Concat(Of("r1.update.duration")).Concat(Of("r1.journal.write.duration")), s => Assert.True(s >= 0));
        Assert.True(Of("r1.rollout.tokens").Sum() >= TinyRuns.Grpo.Steps * TinyRuns.Grpo.PromptsPerStep * TinyRuns.Grpo.GroupSize);
        Assert.Equal(0, Of("r1.work_queue.pending").Sum());   // every queued sample was handed out
        Assert.Equal(TinyRuns.Grpo.Steps, Of("r1.reward.mean").Length);

        Assert.NotEmpty(posts);
        Assert.All(posts, p => Assert.Equal("/v1/metrics", p.Path));
        // OTLP's protobuf carries the instrument names and the run tag as plain strings.
        byte[] all = posts.SelectMany(p => p.Body).ToArray();
        string text = System.Text.Encoding.Latin1.GetString(all);
        Assert.Contains("r1.steps", text);
        Assert.Contains("r1.checkpoint.duration", text);
        Assert.Contains(runId, text);
    }
}
