using System.CommandLine;
using DeepSeekR1.Actors.Model.Tokenizers;

namespace DeepSeekR1.Actors.Cli.Commands;

/// <summary><c>r1 tokenizer build-builtin|encode</c>: produce the built-in vocabulary, inspect tokenization.</summary>
public static class TokenizerCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("tokenizer", "Build the built-in tokenizer or inspect how text tokenizes");

        var outOption = new Option<string>("--out") { Description = "Folder to write tokenizer.json into", DefaultValueFactory = _ => "src/DeepSeekR1.Actors.Model/Tokenizers/Builtin" };
        var vocabOption = new Option<int>("--vocab-size") { Description = "Target vocabulary size", DefaultValueFactory = _ => BuiltinTokenizer.DefaultVocabSize };
        var seedOption = new Option<int>("--seed") { Description = "Corpus seed", DefaultValueFactory = _ => BuiltinTokenizer.DefaultSeed };
        var build = new Command("build-builtin", "Train the built-in byte-level BPE on the generated corpus and write it (this is how the shipped file was made)")
        {
            outOption, vocabOption, seedOption,
        };
        build.SetAction(parse =>
        {
            var tokenizer = BuiltinTokenizer.Train(parse.GetValue(vocabOption), parse.GetValue(seedOption));
            string dir = parse.GetValue(outOption)!;
            tokenizer.Save(dir);
            Console.WriteLine($"wrote {Path.Combine(dir, "tokenizer.json")} ({tokenizer.VocabSize} tokens)");
            return 0;
        });
        command.Subcommands.Add(build);

        var textArgument = new Argument<string>("text") { Description = "Text to tokenize" };
        var encode = new Command("encode", "Print the token ids and pieces of a text under r1.tokenizer.kind") { textArgument };
        encode.WithConfigOptions();
        encode.SetAction(parse =>
        {
            var config = CommonOptions.Load(parse);
            var tokenizer = PolicyFactory.CreateTokenizer(config.GetString("r1.tokenizer.kind"));
            var ids = tokenizer.Encode(parse.GetValue(textArgument)!);
            Console.WriteLine($"{tokenizer.Name}: {ids.Count} tokens");
            foreach (var id in ids) Console.WriteLine($"{id,8}  {System.Text.Json.JsonSerializer.Serialize(tokenizer.Decode([id]))}");
            return 0;
        });
        command.Subcommands.Add(encode);
        return command;
    }
}
