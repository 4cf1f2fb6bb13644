using DeepSeekR1.Actors.Rl.Data;

namespace DeepSeekR1.Actors.Rl.Tests.Data;

public class StrictUtf8LinesTests
{
    private static string Write(TempFile dir, byte[] bytes)
    {
        File.WriteAllBytes(dir.FilePath, bytes);
        return dir.FilePath;
    }

    [Fact]
    public void Lines_are_split_on_newlines_with_crlf_bom_and_a_last_line_without_newline_handled()
    {
        using var dir = new TempFile("a.txt");
        string path = Write(dir, [0xEF, 0xBB, 0xBF, .. "first\r\nsé\ncond\n\nlast"u8]);
        var lines = StrictUtf8Lines.Read(path).ToArray();
        Assert.Equal([(1, "first"), (2, "sé"), (3, "cond"), (4, ""), (5, "last")], lines);
    }

    [Fact]
    public void A_bad_byte_names_the_file_line_and_byte()
    {
        using var dir = new TempFile("b.jsonl");
        string path = Write(dir, [.. "ok\n"u8, .. "also ok\n"u8, .. "ab"u8, 0xC3, 0x28, .. "\n"u8]);   // C3 must be followed by a continuation byte
        var e = Assert.Throws<DatasetFormatException>(() => StrictUtf8Lines.Read(path).ToArray());
        Assert.Equal(3, e.Line);
        Assert.Equal($"{path}:3: not valid UTF-8 at byte 3 of the line", e.Message);
    }

    [Fact]
    public void A_folder_is_named_as_one()
    {
        using var dir = new TempFile("c.jsonl");
        var e = Assert.Throws<DatasetFormatException>(() => StrictUtf8Lines.Read(dir.Folder).ToArray());
        Assert.Equal($"{dir.Folder}: is a folder, not a data file", e.Message);
    }

    [Fact]
    public void A_dataset_reads_strictly_through_it()
    {
        using var dir = new TempFile("d.jsonl");
        string path = Write(dir, [.. "{\"question\": \"q\", \"answer\": \"1\"}\n{\"question\": \"caf"u8, 0xE9, .. "\", \"answer\": \"2\"}\n"u8]);
        var e = Assert.Throws<DatasetFormatException>(() => QaJsonlDataset.Read(path).ToArray());
        Assert.StartsWith($"{path}:2: not valid UTF-8", e.Message);
    }
}
