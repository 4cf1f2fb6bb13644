namespace DeepSeekR1.Actors.Model.Tokenizers;

/// <summary>
/// GPT-2's reversible map from the 256 byte values to 256 printable characters, used by every
/// byte-level BPE (GPT-2, Llama 3, Qwen2.5, DeepSeek). Vocabulary files store tokens in this form,
/// so a space byte appears as 'Ġ' and a newline as 'Ċ'.
/// </summary>
/// <remarks>
/// Bytes that are already visible Latin-1 characters map to themselves; the remaining 68 bytes
/// (controls, space, DEL, NBSP, soft hyphen...) are shifted to U+0100 and up, in byte order. Keeping
/// every byte visible lets vocab and merges files be plain whitespace-separated text.
/// </remarks>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildTable();

    /// <summary>The character that stands for byte value <paramref name="value"/>.</summary>
    public static char ToChar(byte value) => ByteToChar[value];

    /// <summary>Encodes text as UTF-8 and writes each byte as its stand-in character.</summary>
    public static string Encode(string text)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteToChar[bytes[i]];
        }
        return new string(chars);
    }

    private static char[] BuildTable()
    {
        var table = new char[256];
        int shifted = 0;
        for (int b = 0; b < 256; b++)
        {
            bool visible = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = visible ? (char)b : (char)(256 + shifted++);
        }
        return table;
    }
}
