using System.Text;

namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// A synthetic, deterministic corpus that looks like what the built-in tasks put through the
/// tokenizer: R1-Zero prompts for multi-digit arithmetic and Countdown, and answers that reason in
/// &lt;think&gt; tags with the reflective words the paper counts (wait, mistake, however, but,
/// retry, error, verify, wrong, evaluate, check). Training the built-in BPE on it gives those
/// words and the template's phrases short encodings.
/// </summary>
/// <remarks>
/// <see cref="System.Random"/> with a seed uses a fixed algorithm in .NET, so a seed always yields the
/// same documents and therefore the same merges.
/// </remarks>
public static class BuiltinCorpus
{
    private static readonly string[] ArithmeticQuestions =
    [
        "What is {0} {1} {2}?",
        "Compute {0} {1} {2}.",
        "Calculate {0} {1} {2}.",
        "Evaluate {0} {1} {2}.",
        "Find the value of {0} {1} {2}.",
    ];

    private static readonly string[] Openings =
    [
        "Let me work through this step by step.",
        "I need to compute this carefully.",
        "First, I will break the problem into smaller parts.",
        "Let me think about the numbers first.",
        "The question asks for a single number.",
    ];

    private static readonly string[] Reflections =
    [
        "Wait, let me check that again.",
        "Wait, I think I made a mistake.",
        "However, I should verify the result.",
        "But that looks wrong, so let me retry.",
        "Let me verify this by working backwards.",
        "Hmm, there is an error in the last step.",
        "Let me evaluate the expression once more to check.",
        "That is wrong. Let me retry with a different approach.",
        "However, the carry was not added, which is a mistake.",
        "But wait, I should double check the sign.",
        "So the check passes and the answer is verified.",
    ];

    private static readonly string[] Operators = ["+", "-", "*", "/"];

    /// <summary>The Countdown prompt used by TinyZero-style R1-Zero replications.</summary>
    public static string CountdownQuestion(IReadOnlyList<int> numbers, int target) =>
        $"Using the numbers [{string.Join(", ", numbers)}], create an equation that equals {target}. " +
        "You can use basic arithmetic operations (+, -, *, /) and each number can only be used once. " +
        "Show your work in <think> </think> tags. And return the final answer in <answer> </answer> tags, " +
        "for example <answer> (1 + 2) / 3 </answer>.";

    /// <summary>Generates <paramref name="count"/> documents (prompt plus reasoning answer) from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<string> Generate(int seed, int count)
    {
        var random = new Random(seed);
        var documents = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            documents.Add(random.Next(2) == 0 ? ArithmeticDocument(random) : CountdownDocument(random));
        }
        return documents;
    }

    private static string ArithmeticDocument(Random random)
    {
        string op = Operators[random.Next(Operators.Length)];
        long a = RandomNumber(random), b = RandomNumber(random);
        if (op == "/")
        {
            // Exact division only: build a = b * quotient.
            b = Math.Max(2, b % 97);
            a = b * RandomNumber(random);
        }
        long result = Apply(op, a, b);
        string question = string.Format(ArithmeticQuestions[random.Next(ArithmeticQuestions.Length)], a, op, b);

        var think = new StringBuilder();
        think.Append(Openings[random.Next(Openings.Length)]).Append(' ');
        think.Append(op switch
        {
            "+" => $"Adding {a} and {b}, I start with the ones digits and carry when the sum is at least 10. ",
            "-" => $"Subtracting {b} from {a}, I borrow from the next digit when needed. ",
            "*" => $"Multiplying {a} by {b}, I split {b} into tens and ones: {a} * {b / 10 * 10} = {a * (b / 10 * 10)} and {a} * {b % 10} = {a * (b % 10)}. ",
            _ => $"Dividing {a} by {b}, I check how many times {b} fits into {a}. ",
        });
        if (random.Next(3) == 0)
        {
            long wrong = result + random.Next(1, 10) * (random.Next(2) == 0 ? 1 : -1);
            think.Append($"That gives {wrong}. ").Append(Reflections[random.Next(Reflections.Length)]).Append(' ');
        }
        think.Append($"So {a} {op} {b} = {result}. ");
        think.Append(Reflections[random.Next(Reflections.Length)]);
        return Document(question, think.ToString(), result.ToString());
    }

    private static string CountdownDocument(Random random)
    {
        int[] numbers = Enumerable.Range(0, random.Next(3, 5)).Select(_ => random.Next(1, 100)).ToArray();
        var think = new StringBuilder();
        think.Append(Openings[random.Next(Openings.Length)]).Append(' ');

        // Walk one random left-to-right expression, narrating every intermediate value.
        long value = numbers[0];
        string expression = numbers[0].ToString();
        for (int i = 1; i < numbers.Length; i++)
        {
            string op = Operators[random.Next(3)];
            long next = Apply(op, value, numbers[i]);
            think.Append($"Let me try {value} {op} {numbers[i]} = {next}. ");
            expression = $"({expression} {op} {numbers[i]})";
            value = next;
        }
        int target = (int)Math.Clamp(value, 1, 999);
        if (target != value)
        {
            think.Append($"That is {value}, which is wrong. ").Append(Reflections[random.Next(Reflections.Length)]).Append(' ');
        }
        else
        {
            think.Append($"This equals {target}, which is the target. ").Append(Reflections[random.Next(Reflections.Length)]);
        }
        return Document(CountdownQuestion(numbers, target), think.ToString().TrimEnd(), expression);
    }

    private static string Document(string question, string reasoning, string answer) =>
        PromptTemplates.R1Zero(question) + $" <think> {reasoning} </think> <answer> {answer} </answer>";

    private static long RandomNumber(Random random) => random.Next(3) switch
    {
        0 => random.Next(2, 100),
        1 => random.Next(100, 1000),
        _ => random.Next(1000, 100000),
    };

    private static long Apply(string op, long a, long b) => op switch
    {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        _ => a / b,
    };
}
