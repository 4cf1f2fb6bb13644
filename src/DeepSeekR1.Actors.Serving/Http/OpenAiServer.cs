using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeepSeekR1.Actors.Serving.Http;

/// <summary>
/// The OpenAI-compatible HTTP endpoint on ASP.NET Core minimal APIs: <c>POST /v1/chat/completions</c>,
/// <c>POST /v1/completions</c> (both with <c>"stream": true</c> as server-sent events ending in <c>data: [DONE]</c>) and
/// <c>GET /v1/models</c>. With an API key every request must carry <c>Authorization: Bearer KEY</c> (401 otherwise);
/// a bad request body is a 400 whose error names the field (<c>param</c>), as OpenAI's errors do.
/// </summary>
public sealed class OpenAiServer : IAsyncDisposable
{
    // Text as written (no \u003C for '<'): the answers hold <think> tags, and a reader of the raw stream should see them.
    private static readonly System.Text.Json.JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly WebApplication _app;

    private OpenAiServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The bound address (with the real port when port 0 was asked for).</summary>
    public Uri Address { get; }

    /// <summary>Starts the server on <paramref name="settings"/>' host and port; requests go to <paramref name="service"/>.</summary>
    /// <param name="service">The completion pipeline.</param>
    /// <param name="settings">Host, port, API key, limits.</param>
    /// <param name="modelName">The id /v1/models lists.</param>
    /// <param name="log">Where one line per failed request goes (null: nowhere).</param>
    public static async Task<OpenAiServer> StartAsync(CompletionService service, ServeSettings settings, string modelName, TextWriter? log = null)
    {
        settings.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Parse(settings.Host), settings.Port));
        var app = builder.Build();
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        if (settings.ApiKey.Length > 0)
            app.Use(async (context, next) =>
            {
                string expected = "Bearer " + settings.ApiKey;
                if (!string.Equals(context.Request.Headers.Authorization.ToString(), expected, StringComparison.Ordinal))
                {
                    await Error(context, StatusCodes.Status401Unauthorized, "invalid_api_key", null,
                        "missing or wrong API key (send Authorization: Bearer KEY)").ConfigureAwait(false);
                    return;
                }
                await next(context).ConfigureAwait(false);
            });

        app.MapGet("/v1/models", () => Results.Text(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject { ["id"] = modelName, ["object"] = "model", ["created"] = created, ["owned_by"] = "r1" }),
        }.ToJsonString(Json), "application/json"));
        app.MapPost("/v1/chat/completions", context => Complete(context, service, settings, modelName, chat: true, log));
        app.MapPost("/v1/completions", context => Complete(context, service, settings, modelName, chat: false, log));

        await app.StartAsync().ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new OpenAiServer(app, new Uri(bound));
    }

    private static async Task Complete(HttpContext context, CompletionService service, ServeSettings settings, string modelName, bool chat, TextWriter? log)
    {
        var aborted = context.RequestAborted;
        CompletionRequest request;
        IAsyncEnumerator<CompletionEvent> events;
        bool hasFirst;
        try
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            string body = await reader.ReadToEndAsync(aborted).ConfigureAwait(false);
            request = chat ? RequestParser.Chat(body, settings.MaxTokensLimit) : RequestParser.Completion(body, settings.MaxTokensLimit);
            events = service.RunAsync(request, aborted).GetAsyncEnumerator(aborted);
            // The first step renders, encodes and queues the prompt: a prompt too long for the context fails here, still a 400.
            hasFirst = await events.MoveNextAsync().ConfigureAwait(false);
        }
        catch (BadRequestException e)
        {
            await Error(context, StatusCodes.Status400BadRequest, "invalid_request_error", e.Param, e.Message).ConfigureAwait(false);
            return;
        }
        catch (ArgumentException e)
        {
            await Error(context, StatusCodes.Status400BadRequest, "invalid_request_error", chat ? "messages" : "prompt", e.Message).ConfigureAwait(false);
            return;
        }

        string id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N")[..24];
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await using (events.ConfigureAwait(false))
        {
            try
            {
                if (request.Stream) await Stream(context, events, hasFirst, id, created, modelName, chat).ConfigureAwait(false);
                else await Whole(context, events, hasFirst, id, created, modelName, chat).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client went away: nothing to answer. Its row of the batch finishes on its own.
            }
            catch (Exception e) when (!context.Response.HasStarted)
            {
                log?.WriteLine($"r1 serve: request {id} failed: {e.Message}");
                await Error(context, StatusCodes.Status500InternalServerError, "server_error", null, e.Message).ConfigureAwait(false);
            }
        }
    }

    private static async Task Whole(HttpContext context, IAsyncEnumerator<CompletionEvent> events, bool hasFirst, string id, long created, string model, bool chat)
    {
        CompletionOutcome? outcome = null;
        for (bool more = hasFirst; more; more = await events.MoveNextAsync().ConfigureAwait(false))
            if (events.Current.Final is { } final) outcome = final;
        if (outcome is null) throw new InvalidOperationException("the completion ended without an outcome");
        var choice = chat
            ? new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = outcome.Text }, ["finish_reason"] = outcome.FinishReason }
            : new JsonObject { ["index"] = 0, ["text"] = outcome.Text, ["finish_reason"] = outcome.FinishReason };
        var body = Envelope(id, chat ? "chat.completion" : "text_completion", created, model, choice);
        body["usage"] = new JsonObject
        {
            ["prompt_tokens"] = outcome.PromptTokens,
            ["completion_tokens"] = outcome.CompletionTokens,
            ["total_tokens"] = outcome.PromptTokens + outcome.CompletionTokens,
        };
        body["risk_control"] = RiskJson(outcome);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(Json), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task Stream(HttpContext context, IAsyncEnumerator<CompletionEvent> events, bool hasFirst, string id, long created, string model, bool chat)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        string kind = chat ? "chat.completion.chunk" : "text_completion";
        if (chat) await Send(context, Envelope(id, kind, created, model, new JsonObject
            { ["index"] = 0, ["delta"] = new JsonObject { ["role"] = "assistant", ["content"] = "" }, ["finish_reason"] = null })).ConfigureAwait(false);
        for (bool more = hasFirst; more; more = await events.MoveNextAsync().ConfigureAwait(false))
        {
            var e = events.Current;
            if (e.Final is { } final)
            {
                var last = chat
                    ? new JsonObject { ["index"] = 0, ["delta"] = new JsonObject(), ["finish_reason"] = final.FinishReason }
                    : new JsonObject { ["index"] = 0, ["text"] = "", ["finish_reason"] = final.FinishReason };
                var chunk = Envelope(id, kind, created, model, last);
                chunk["risk_control"] = RiskJson(final);
                await Send(context, chunk).ConfigureAwait(false);
            }
            else if (e.Text.Length > 0)
            {
                var piece = chat
                    ? new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = e.Text }, ["finish_reason"] = null }
                    : new JsonObject { ["index"] = 0, ["text"] = e.Text, ["finish_reason"] = null };
                await Send(context, Envelope(id, kind, created, model, piece)).ConfigureAwait(false);
            }
        }
        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task Send(HttpContext context, JsonObject chunk)
    {
        await context.Response.WriteAsync($"data: {chunk.ToJsonString(Json)}\n\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static JsonObject Envelope(string id, string kind, long created, string model, JsonObject choice) => new()
    {
        ["id"] = id, ["object"] = kind, ["created"] = created, ["model"] = model, ["choices"] = new JsonArray(choice),
    };

    // Our extension to the response: whether the answer went through review and was withdrawn.
    private static JsonObject RiskJson(CompletionOutcome outcome) => new()
    {
        ["reviewed"] = outcome.RiskKeywords.Count > 0,
        ["withdrawn"] = outcome.Withdrawn,
        ["keywords"] = new JsonArray(outcome.RiskKeywords.Select(k => (JsonNode)JsonValue.Create(k)!).ToArray()),
    };

    private static Task Error(HttpContext context, int status, string type, string? param, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = null },
        }.ToJsonString(Json));
    }

    /// <summary>Stops the server (in-flight requests get a moment to finish).</summary>
    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(grace.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
