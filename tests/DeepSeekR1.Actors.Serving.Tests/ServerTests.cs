using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace DeepSeekR1.Actors.Serving.Tests;

/// <summary>The OpenAI-compatible endpoint, spoken to with plain HTTP as an OpenAI client would.</summary>
public sealed class ServerTests : IAsyncLifetime
{
    private TinyServer _server = null!;

    public async Task InitializeAsync() => _server = await TinyServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<(HttpStatusCode Status, JsonObject Body)> Post(string path, string body)
    {
        using var response = await _server.Client.PostAsync(path, Json(body));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task It_listens_on_loopback_and_lists_its_model()
    {
        Assert.Equal("127.0.0.1", _server.Server.Address.Host);
        var body = JsonNode.Parse(await _server.Client.GetStringAsync("/v1/models"))!;
        Assert.Equal("list", (string?)body["object"]);
        Assert.Equal("base-tiny", (string?)body["data"]![0]!["id"]);
    }

    [Fact]
    public async Task A_chat_completion_has_the_openai_shape()
    {
        var (status, body) = await Post("/v1/chat/completions",
            """{"model":"base-tiny","messages":[{"role":"user","content":"What is 12 + 30?"}],"max_tokens":8,"temperature":0}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("chatcmpl-", (string?)body["id"]);
        Assert.Equal("chat.completion", (string?)body["object"]);
        var choice = body["choices"]![0]!;
        Assert.Equal("assistant", (string?)choice["message"]!["role"]);
        Assert.False(string.IsNullOrEmpty((string?)choice["message"]!["content"]));
        Assert.Contains((string?)choice["finish_reason"], new[] { "stop", "length" });
        Assert.True((int)body["usage"]!["prompt_tokens"]! > 10);
        Assert.InRange((int)body["usage"]!["completion_tokens"]!, 1, 8);
        Assert.Equal((int)body["usage"]!["prompt_tokens"]! + (int)body["usage"]!["completion_tokens"]!, (int)body["usage"]!["total_tokens"]!);
    }

    [Fact]
    public async Task A_raw_completion_has_the_openai_shape()
    {
        var (status, body) = await Post("/v1/completions", """{"prompt":"12 + 30 =","max_tokens":4,"temperature":0}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text_completion", (string?)body["object"]);
        Assert.NotNull((string?)body["choices"]![0]!["text"]);
    }

    [Fact]
    public async Task A_streamed_answer_arrives_as_server_sent_events_and_equals_the_whole_answer()
    {
        const string request = """{"messages":[{"role":"user","content":"What is 7 + 8?"}],"max_tokens":12,"seed":5,"temperature":1.0,"stream":STREAM}""";
        var (_, whole) = await Post("/v1/chat/completions", request.Replace("STREAM", "false"));

        using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(request.Replace("STREAM", "true")) };
        using var response = await _server.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", (string?)c["object"]));
        Assert.Single(chunks.Select(c => (string?)c["id"]).Distinct());
        Assert.Equal("assistant", (string?)chunks[0]["choices"]![0]!["delta"]!["role"]);
        Assert.True(chunks.Count >= 3, $"{chunks.Count} chunks: the answer should come in pieces");
        string text = string.Concat(chunks.Select(c => (string?)c["choices"]![0]!["delta"]!["content"] ?? ""));
        Assert.Equal((string?)whole["choices"]![0]!["message"]!["content"], text);
        Assert.NotNull((string?)chunks[^1]["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public async Task Fifty_concurrent_requests_are_all_answered_in_shared_batches()
    {
        var tasks = Enumerable.Range(0, 50).Select(i => Post("/v1/chat/completions",
            $$"""{"messages":[{"role":"user","content":"What is {{i}} + {{i}}?"}],"max_tokens":6}""")).ToArray();
        var results = await Task.WhenAll(tasks);
        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.All(results, r => Assert.NotNull((string?)r.Body["choices"]![0]!["message"]!["content"]));
        Assert.True(_server.Stack.Generator.LargestBatch > 1, $"largest batch {_server.Stack.Generator.LargestBatch}: requests were not batched");
        Assert.True(_server.Stack.Generator.Batches < 50, $"{_server.Stack.Generator.Batches} batches for 50 requests");
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_leaves_the_server_serving()
    {
        long before = _server.Stack.Generator.Requests;
        using (var cancel = new CancellationTokenSource())
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
            { Content = Json("""{"prompt":"1 + 1 =","max_tokens":200,"stream":true}""") };
            using var response = await _server.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            using var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
            var buffer = new byte[64];
            Assert.True(await stream.ReadAsync(buffer, cancel.Token) > 0);   // the first event is here...
            cancel.Cancel();                                                  // ...and the client hangs up
        }
        var (status, body) = await Post("/v1/chat/completions", """{"messages":[{"role":"user","content":"What is 2 + 2?"}],"max_tokens":4}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull((string?)body["choices"]![0]!["message"]!["content"]);
        // The abandoned row finished in its batch; the generator went on to the next request.
        Assert.True(_server.Stack.Generator.Requests >= before + 2);
    }

    [Theory]
    [InlineData("/v1/chat/completions", "{not json", null, "not valid JSON")]
    [InlineData("/v1/chat/completions", "[1,2]", null, "must be a JSON object")]
    [InlineData("/v1/chat/completions", "{}", "messages", "'messages' is required")]
    [InlineData("/v1/chat/completions", """{"messages":"hi"}""", "messages", "must be an array")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"robot","content":"hi"}]}""", "messages[0].role", "'robot'")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user"}]}""", "messages[0].content", "is required")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"max_tokens":"ten"}""", "max_tokens", "must be an integer")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"max_tokens":100000}""", "max_tokens", "outside 1..512")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"temperature":3}""", "temperature", "outside")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"stream":"yes"}""", "stream", "true or false")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"n":3}""", "n", "not supported")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"risk_control":1}""", "risk_control", "true or false")]
    [InlineData("/v1/completions", """{"prompt":42}""", "prompt", "must be a string")]
    [InlineData("/v1/completions", """{"prompt":"12 + 30 =","max_tokens":510}""", "prompt", "exceed the model's context")]
    public async Task A_malformed_request_is_a_400_naming_the_field(string path, string body, string? param, string message)
    {
        var (status, error) = await Post(path, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_request_error", (string?)error["error"]!["type"]);
        Assert.Equal(param, (string?)error["error"]!["param"]);
        Assert.Contains(message, (string?)error["error"]!["message"]);
    }
}
