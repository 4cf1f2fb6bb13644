using DeepSeekR1.Actors.Rl.Rewards.Code;
using DeepSeekR1.Actors.Rl.Tasks;

namespace DeepSeekR1.Actors.Rl.Data;

/// <summary>
/// Reads a code task's JSONL (MBPP's shape; data/code/README.md). Each line: <c>id</c> (string), <c>prompt</c> (what
/// to write, naming the function), <c>tests</c> (one or more <c>assert CALL == EXPECTED</c> strings, EXPECTED a Python
/// literal) and optionally <c>solution</c> (a reference program, for checking the data; never shown to the model).
/// The question shows the first test as an example; the gold answer is every test, one per line.
/// </summary>
public static class CodeDataset
{
    /// <summary>Streams the items of one file, strictly (a bad line or test throws <see cref="DatasetFormatException"/>).</summary>
    /// <param name="path">The JSONL file.</param>
    public static IEnumerable<TaskItem> Read(string path) =>
        JsonlReader.Read(path, record =>
        {
            var tests = record.RequiredStringArray("tests");
            string gold = string.Join('\n', tests);
            try
            {
                CodeTests.Parse(gold);
            }
            catch (FormatException error)
            {
                throw record.Error("tests", error.Message);
            }
            return new TaskItem(
                Id: record.RequiredString("id"),
                Question: QuestionFor(record.RequiredString("prompt"), tests[0]),
                Gold: gold,
                Kind: AnswerKind.Code);
        });

    /// <summary>The question text: the prompt, one example test, and how to answer.</summary>
    public static string QuestionFor(string prompt, string exampleTest) =>
        $"{prompt}\nYour code should pass tests like this one:\n{exampleTest}\nWrite the Python code in a ```python block inside <answer>.";
}
