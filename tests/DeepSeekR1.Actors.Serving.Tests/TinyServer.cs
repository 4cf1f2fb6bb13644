using DeepSeekR1.Actors.Model;
using DeepSeekR1.Actors.Model.Checkpoints;
using DeepSeekR1.Actors.Model.Reward;
using DeepSeekR1.Actors.Model.Sampling;
using DeepSeekR1.Actors.Model.Tokenizers;
using DeepSeekR1.Actors.Rl.Data;
using DeepSeekR1.Actors.Serving.Http;

namespace DeepSeekR1.Actors.Serving.Tests;

/// <summary>A real server for the shipped tiny base model on a loopback port chosen by the system.</summary>
public sealed class TinyServer : IAsyncDisposable
{
    public static readonly string BaseModel = RepositoryPaths.Resolve("models/base-tiny")!;

    private TinyServer(ServingStack stack, OpenAiServer server, StringWriter log)
    {
        Stack = stack;
        Server = server;
        Log = log;
        Client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(3) };
    }

    public ServingStack Stack { get; }

    public OpenAiServer Server { get; }

    public HttpClient Client { get; }

    public StringWriter Log { get; }

    public static async Task<TinyServer> StartAsync(Func<ServeSettings, ServeSettings>? serve = null, Func<RiskControlSettings, RiskControlSettings>? risk = null,
        Func<string, RewardModel>? loadSafetyModel = null)
    {
        var tokenizer = HuggingFaceTokenizer.FromDirectory(BaseModel);
        var policy = TorchThread.Shared.Invoke(() => PolicyCheckpoint.Load(BaseModel));
        var settings = (serve ?? (s => s))(ServeSettings.Defaults with { Port = 0 });
        var log = new StringWriter();
        var stack = ServingStack.Create(policy, tokenizer, settings, (risk ?? (r => r))(RiskControlSettings.Defaults),
            SamplingOptions.Defaults with { MaxNewTokens = 16 }, TorchThread.Shared,
            loadSafetyModel ?? (_ => throw new InvalidOperationException("no safety model in this test")), TextWriter.Synchronized(log));
        var server = await OpenAiServer.StartAsync(stack.Service, settings, "base-tiny");
        return new TinyServer(stack, server, log);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Stack.Dispose();
    }
}
