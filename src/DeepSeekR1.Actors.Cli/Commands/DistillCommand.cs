using System.CommandLine;
using System.Text.Json.Nodes;
using DeepSeekR1.Actors.Configuration;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary>
/// <c>r1 distill</c>: the paper's distillation, as three stages a researcher would otherwise script. The teacher's
/// completions are rejection-sampled (<c>r1 sample</c>: only verified, readable traces), a fresh student (the model
/// <c>--student-config</c> describes, or <c>--student-init</c>) is fine-tuned on them with plain SFT (<c>r1 sft</c>), and
/// the student and the teacher are evaluated on the held-out split (<c>r1 eval</c>). Every file lands in
/// <c>--out</c>: <c>teacher-traces.jsonl</c>, <c>student/</c>, <c>eval-student.txt</c>, <c>eval-teacher.txt</c>.
/// </summary>
public static class DistillCommand
{
    private static readonly Option<string> Teacher = new("--teacher") { Description = "The teacher's checkpoint (an RL-trained policy)", Required = true };
    private static readonly Option<string> Out = new("--out") { Description = "Folder for the traces, the student and the evaluations", Required = true };
    private static readonly Option<string?> Task = new("--task") { Description = "Task the questions come from (default r1.eval.task)" };
    private static readonly Option<string?> StudentConfig = new("--student-config") { Description = "HOCON file with the student's r1.model (default: r1.model as configured)" };
    private static readonly Option<string?> StudentInit = new("--student-init") { Description = "Start the student from this checkpoint instead of fresh weights" };
    private static readonly Option<int?> Samples = new("--samples") { Description = "Teacher completions per question before the filters (default r1.sample.samples)" };
    private static readonly Option<int?> Limit = new("--limit") { Description = "Training questions the teacher answers (default r1.eval.limit)" };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("distill", "Distil a teacher into a student: rejection-sampled teacher traces, SFT of the student, both evaluated")
            { Teacher, Out, Task, StudentConfig, StudentInit, Samples, Limit };
        command.WithConfigOptions();
        command.SetAction(Execute);
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        string outDir = Path.GetFullPath(parse.GetValue(Out)!);
        string teacher = parse.GetValue(Teacher)!;
        if (parse.GetValue(Config) is not null && parse.GetValue(StudentConfig) is not null)
            throw new ConfigException("--config and --student-config both set: put the student's r1.model in the one --config file, or use --set");
        Directory.CreateDirectory(outDir);
        string traces = Path.Combine(outDir, "teacher-traces.jsonl"), student = Path.Combine(outDir, "student");

        // The options every stage shares: the configuration, and the task.
        var common = new List<string>();
        if (parse.GetValue(Config) is { } config) common.AddRange(["--config", config]);
        foreach (var set in parse.GetValue(CommonOptions.Set) ?? []) common.AddRange(["--set", set]);
        if (parse.GetValue(CommonOptions.DataDir) is { } dataDir) common.AddRange(["--data-dir", dataDir]);
        var task = parse.GetValue(Task) is { } t ? new[] { "--task", t } : [];

        var sample = new List<string> { "--checkpoint", teacher, "--out", traces, "--split", "train" };
        sample.AddRange(task);
        if (parse.GetValue(Samples) is int k) sample.AddRange(["--samples", k.ToString()]);
        if (parse.GetValue(Limit) is int n) sample.AddRange(["--limit", n.ToString()]);
        output.WriteLine($"r1 distill: 1/3 teacher traces from {teacher}");
        int code = Stage(parse, SampleCommand.Create(), [.. sample, .. common]);
        if (code != 0) return code;

        var sft = new List<string> { "--data", traces, "--out", student };
        if (parse.GetValue(StudentInit) is { } init) sft.AddRange(["--init", init]);
        if (parse.GetValue(StudentConfig) is { } studentConfig) sft.AddRange(["--config", studentConfig]);
        output.WriteLine("r1 distill: 2/3 SFT of the student on the kept traces");
        code = Stage(parse, SftCommand.Create(), [.. sft, .. common]);
        if (code != 0) return code;

        output.WriteLine("r1 distill: 3/3 the student and the teacher on the held-out split");
        var figures = new JsonObject();
        foreach (var (name, checkpoint) in new[] { ("student", student), ("teacher", teacher) })
        {
            var text = new StringWriter();
            int evalCode = Stage(parse, EvalCommand.Create(), ["--checkpoint", checkpoint, .. task, .. common], text);
            File.WriteAllText(Path.Combine(outDir, $"eval-{name}.txt"), text.ToString());
            if (evalCode != 0) return evalCode;
            figures[name] = JsonNode.Parse(text.ToString().TrimEnd().Split('\n')[^1]);
        }
        double Pass(string who) => (double)figures[who]!["pass_at_1"]!;
        output.WriteLine($"r1 distill: held-out pass@1 student {Pass("student") * 100:F1}% (teacher {Pass("teacher") * 100:F1}%); files in {outDir}");
        File.WriteAllText(Path.Combine(outDir, "distill.json"), figures.ToJsonString(HumanJson.Compact));
        output.WriteLine(new JsonObject
        {
            ["teacher"] = teacher, ["student"] = student, ["traces"] = traces,
            ["student_pass_at_1"] = Pass("student"), ["teacher_pass_at_1"] = Pass("teacher"),
        }.ToJsonString(HumanJson.Compact));
        return 0;
    }

    private static Option<string?> Config => CommonOptions.Config;

    // Runs one stage as its own command, printing into this command's output (or into capture).
    private static int Stage(ParseResult parent, Command command, string[] args, TextWriter? capture = null) =>
        new RootCommand { command }.Parse([command.Name, .. args]).Invoke(new InvocationConfiguration
        {
            Output = capture ?? parent.InvocationConfiguration.Output,
            Error = parent.InvocationConfiguration.Error,
            EnableDefaultExceptionHandler = false,
        });
}
