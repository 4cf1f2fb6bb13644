using System.Runtime.Serialization;
using Akka.Actor;
using DeepSeekR1.Actors.Engine.Contracts;
using DeepSeekR1.Actors.Engine.Hosting;
using DeepSeekR1.Actors.Model.Sampling;

namespace DeepSeekR1.Actors.Engine.Tests;

public class ContractSerializationTests
{
    public static TheoryData<Type> ContractTypes()
    {
        var data = new TheoryData<Type>();
        foreach (var type in ContractCodec.Contracts.Keys.OrderBy(t => t.Name)) data.Add(type);
        return data;
    }

    [Fact]
    public void Every_persisted_and_wire_type_is_a_versioned_contract()
    {
        var markers = typeof(ContractCodec).Assembly.GetTypes()
            .Where(t => !t.IsInterface && (typeof(IPersisted).IsAssignableFrom(t) || typeof(IWireMessage).IsAssignableFrom(t)))
            .ToArray();
        Assert.True(markers.Length >= 25, $"found only {markers.Length} contracts");
        Assert.All(markers, t => Assert.Matches(@"^[A-Za-z]+\.v\d+$", ContractCodec.ManifestOf(t)));
        Assert.Equal("StepApplied.v1", ContractCodec.ManifestOf(typeof(StepApplied)));
    }

    [Theory]
    [MemberData(nameof(ContractTypes))]
    public void Contract_round_trips_through_the_codec(Type type)
    {
        var original = ContractSample.Canonical(type);
        string manifest = ContractCodec.ManifestOf(type);
        byte[] bytes = ContractCodec.Encode(original);
        var decoded = ContractCodec.Decode(bytes, manifest);
        Assert.IsType(type, decoded);
        // Records holding lists compare lists by reference, so compare the decoded value's own encoding instead.
        Assert.Equal(bytes, ContractCodec.Encode(decoded));
    }

    [Fact]
    public void Values_survive_exactly_including_extremes()
    {
        var metrics = (MetricsData)ContractSample.Build(typeof(MetricsData), "m") with { RewardStd = double.NaN, Loss = -1.0 / 3.0, KlMean = null };
        var applied = new StepApplied("run", 7, metrics, "/tmp/ckpt", "ab12");
        var decoded = (StepApplied)ContractCodec.Decode(ContractCodec.Encode(applied), "StepApplied.v1");
        Assert.Equal(-1.0 / 3.0, decoded.Metrics.Loss);
        Assert.True(double.IsNaN(decoded.Metrics.RewardStd));
        Assert.Null(decoded.Metrics.KlMean);
        var seed = new SampleWork("g", 1, [1, 2], ulong.MaxValue, 3, "c");
        Assert.Equal(ulong.MaxValue, ((SampleWork)ContractCodec.Decode(ContractCodec.Encode(seed), "SampleWork.v1")).Seed);
    }

    [Fact]
    public void An_unknown_manifest_is_an_error_that_names_it()
    {
        var e = Assert.Throws<UnknownContractException>(() => ContractCodec.Decode("{}"u8.ToArray(), "StepApplied.v2"));
        Assert.Contains("'StepApplied.v2'", e.Message);
        Assert.Contains("StepApplied.v1", e.Message);
        Assert.Equal(("StepApplied", 2), (e.TypeName, e.Version));
        var other = Assert.Throws<UnknownContractException>(() => ContractCodec.Decode("{}"u8.ToArray(), "NoSuchEvent.v1"));
        Assert.Contains("'NoSuchEvent.v1'", other.Message);
    }

    [Fact]
    public void Enums_travel_by_name_and_an_unknown_name_or_a_number_fails_the_decode()
    {
        var output = new SampledOutput(1, [5], [-0.5f], FinishReason.Length, 3);
        string json = System.Text.Encoding.UTF8.GetString(ContractCodec.Encode(output));
        Assert.Contains("\"Finish\":\"Length\"", json);
        var back = (SampledOutput)ContractCodec.Decode(ContractCodec.Encode(output), "SampledOutput.v1");
        Assert.Equal(FinishReason.Length, back.Finish);

        // A name this build does not know (a newer build's reason) and a bare number are errors, never a guess.
        byte[] unknown = System.Text.Encoding.UTF8.GetBytes(json.Replace("\"Length\"", "\"Aborted\""));
        Assert.Throws<System.Text.Json.JsonException>(() => ContractCodec.Decode(unknown, "SampledOutput.v1"));
        byte[] number = System.Text.Encoding.UTF8.GetBytes(json.Replace("\"Length\"", "1"));
        Assert.Throws<System.Text.Json.JsonException>(() => ContractCodec.Decode(number, "SampledOutput.v1"));
    }

    [Fact]
    public async Task The_actor_system_binds_contracts_to_the_contract_serializer()
    {
        var system = ActorSystem.Create("serialization", EngineConfig.Default);
        var applied = ContractSample.Build(typeof(StepApplied), "x");
        var serializer = system.Serialization.FindSerializerFor(applied);
        Assert.IsType<ContractSerializer>(serializer);
        Assert.IsType<ContractSerializer>(system.Serialization.FindSerializerFor(ContractSample.Build(typeof(DeliverGroup), "y")));
        var bytes = serializer.ToBinary(applied);
        var back = system.Serialization.Deserialize(bytes, ContractSerializer.Id, "StepApplied.v1");
        Assert.Equal(ContractCodec.Encode(applied), ContractCodec.Encode(back));
        await system.Terminate();
    }
}
