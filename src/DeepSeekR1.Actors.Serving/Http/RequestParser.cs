using System.Text.Json;
using DeepSeekR1.Actors.Serving.Chat;

namespace DeepSeekR1.Actors.Serving.Http;

/// <summary>
/// Reads the JSON body of <c>/v1/chat/completions</c> and <c>/v1/completions</c> into a <see cref="CompletionRequest"/>,
/// checking each field the server uses and naming the first bad one (<see cref="BadRequestException"/>). Fields the
/// OpenAI API has but this server does not implement are refused when they ask for something (n &gt; 1, stop strings,
/// tools), never silently ignored; fields that change nothing here (user, logit_bias absent, stream_options) pass.
/// </summary>
public static class RequestParser
{
    private static readonly string[] Unsupported = ["tools", "functions", "tool_choice", "function_call", "logprobs", "response_format", "stop", "best_of", "suffix", "echo"];

    /// <summary>Parses a chat request.</summary>
    public static CompletionRequest Chat(string body, int maxTokensLimit)
    {
        var root = Parse(body);
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind == JsonValueKind.Null)
            throw new BadRequestException("messages", "'messages' is required");
        if (messages.ValueKind != JsonValueKind.Array) throw new BadRequestException("messages", $"'messages' must be an array, not {Kind(messages)}");
        var list = new List<ChatMessage>();
        int index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            string at = $"messages[{index}]";
            if (message.ValueKind != JsonValueKind.Object) throw new BadRequestException(at, $"'{at}' must be an object, not {Kind(message)}");
            if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
                throw new BadRequestException($"{at}.role", $"'{at}.role' must be a string");
            string roleName = role.GetString()!;
            if (!ChatMessage.Roles.Contains(roleName))
                throw new BadRequestException($"{at}.role", $"'{at}.role' is '{roleName}', not one of {string.Join(", ", ChatMessage.Roles)}");
            if (roleName == "system" && index > 0) throw new BadRequestException($"{at}.role", $"a system message must come first ('{at}')");
            list.Add(new ChatMessage(roleName, Content(message, $"{at}.content")));
            index++;
        }
        if (list.Count == 0) throw new BadRequestException("messages", "'messages' must hold at least one message");
        if (list[^1].Role != "user") throw new BadRequestException($"messages[{list.Count - 1}].role", "the last message must be the user's");
        return Common(root, list, null, maxTokensLimit);
    }

    /// <summary>Parses a completion request (a raw prompt, no template).</summary>
    public static CompletionRequest Completion(string body, int maxTokensLimit)
    {
        var root = Parse(body);
        if (!root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind == JsonValueKind.Null)
            throw new BadRequestException("prompt", "'prompt' is required");
        string text = prompt.ValueKind switch
        {
            JsonValueKind.String => prompt.GetString()!,
            JsonValueKind.Array when prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.String => prompt[0].GetString()!,
            JsonValueKind.Array => throw new BadRequestException("prompt", "'prompt' as an array must hold exactly one string (batch prompts are not supported)"),
            _ => throw new BadRequestException("prompt", $"'prompt' must be a string, not {Kind(prompt)}"),
        };
        if (text.Length == 0) throw new BadRequestException("prompt", "'prompt' must not be empty");
        return Common(root, null, text, maxTokensLimit);
    }

    private static JsonElement Parse(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement.Clone();
            if (root.ValueKind != JsonValueKind.Object) throw new BadRequestException(null, $"the request body must be a JSON object, not {Kind(root)}");
            return root;
        }
        catch (JsonException e)
        {
            throw new BadRequestException(null, $"the request body is not valid JSON: {e.Message}");
        }
    }

    private static CompletionRequest Common(JsonElement root, IReadOnlyList<ChatMessage>? messages, string? prompt, int maxTokensLimit)
    {
        foreach (var name in Unsupported)
            if (root.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.False))
                throw new BadRequestException(name, $"'{name}' is not supported by this server");
        if (root.TryGetProperty("model", out var model) && model.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            throw new BadRequestException("model", $"'model' must be a string, not {Kind(model)}");
        if (Integer(root, "n", 1, int.MaxValue) is > 1) throw new BadRequestException("n", "'n' above 1 is not supported (send the request again)");
        int? maxTokens = Integer(root, "max_completion_tokens", 1, maxTokensLimit) ?? Integer(root, "max_tokens", 1, maxTokensLimit);
        double? temperature = Number(root, "temperature", 0, 2, lowOpen: false);
        double? topP = Number(root, "top_p", 0, 1, lowOpen: true);
        long? seed = Long(root, "seed");
        bool stream = Bool(root, "stream") ?? false;
        bool? riskControl = Bool(root, "risk_control");
        return new CompletionRequest(messages, prompt, maxTokens, temperature, topP, seed is { } s ? unchecked((ulong)s) : null, riskControl, stream);
    }

    // OpenAI allows content as a string or as an array of parts; text parts are joined, other parts are refused.
    private static string Content(JsonElement message, string at)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
            throw new BadRequestException(at, $"'{at}' is required");
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) throw new BadRequestException(at, $"'{at}' must be a string or an array of text parts, not {Kind(content)}");
        var parts = new List<string>();
        int i = 0;
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "text"
                || !part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                throw new BadRequestException($"{at}[{i}]", $"'{at}[{i}]' must be a text part {{\"type\": \"text\", \"text\": \"...\"}}");
            parts.Add(text.GetString()!);
            i++;
        }
        return string.Concat(parts);
    }

    private static int? Integer(JsonElement root, string name, int min, int max)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int n)) throw new BadRequestException(name, $"'{name}' must be an integer, not {Kind(value)}");
        if (n < min || n > max) throw new BadRequestException(name, $"'{name}' is {n}, outside {min}..{max}");
        return n;
    }

    private static long? Long(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long n)) throw new BadRequestException(name, $"'{name}' must be an integer, not {Kind(value)}");
        return n;
    }

    private static double? Number(JsonElement root, string name, double low, double high, bool lowOpen)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number) throw new BadRequestException(name, $"'{name}' must be a number, not {Kind(value)}");
        double x = value.GetDouble();
        if ((lowOpen ? x <= low : x < low) || x > high) throw new BadRequestException(name, $"'{name}' is {x}, outside {(lowOpen ? "(" : "[")}{low}, {high}]");
        return x;
    }

    private static bool? Bool(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new BadRequestException(name, $"'{name}' must be true or false, not {Kind(value)}"),
        };
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
