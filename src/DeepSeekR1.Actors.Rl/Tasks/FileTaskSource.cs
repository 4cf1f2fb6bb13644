using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.Tasks;

/// <summary>
/// A task read from JSONL files. The path is either a folder holding <c>train.jsonl</c> and
/// <c>test.jsonl</c> (the dataset's own split is used), or a single file, which is split by
/// <see cref="SplitAssignment"/> on each question's text so the held-out part is fixed forever.
/// Files are read strictly (a bad line throws <see cref="DatasetFormatException"/>) and streamed on
/// every enumeration.
/// </summary>
public sealed class FileTaskSource : ITaskSource
{
    /// <summary>File name of the training split inside a dataset folder.</summary>
    public const string TrainFileName = "train.jsonl";

    /// <summary>File name of the held-out split inside a dataset folder.</summary>
    public const string TestFileName = "test.jsonl";

    private readonly Func<string, IEnumerable<TaskItem>> _read;

    /// <summary>A task over the files at <paramref name="path"/>.</summary>
    /// <param name="name">The task's name.</param>
    /// <param name="path">A dataset folder or a single JSONL file.</param>
    /// <param name="read">Reads one file strictly, for example <c>path => Gsm8kDataset.Read(path)</c>.</param>
    public FileTaskSource(string name, string path, Func<string, IEnumerable<TaskItem>> read)
    {
        Name = name;
        Path = path;
        _read = read;
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            throw new FileNotFoundException($"Task '{name}': no file or folder at '{path}'.", path);
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The dataset folder or file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    /// <remarks>The seed is not used: file-backed items come in file order.</remarks>
    public IEnumerable<TaskItem> Items(TaskSplit split, ulong seed)
    {
        if (Directory.Exists(Path))
        {
            return _read(System.IO.Path.Combine(Path, split == TaskSplit.Train ? TrainFileName : TestFileName));
        }

        return _read(Path).Where(item => SplitAssignment.Of(item.Question) == split);
    }
}
