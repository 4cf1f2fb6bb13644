using System.Buffers.Binary;
using System.Text;

namespace DeepSeekR1.Actors.BuildTools;

/// <summary>One version a shared object needs from one of its dependencies (an ELF Vernaux record).</summary>
/// <param name="File">The dependency that must define the version, for example <c>libstdc++.so.6</c>.</param>
/// <param name="Name">The version name, for example <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Flags">The record's <c>vna_flags</c>; bit 0x2 (<c>VER_FLG_WEAK</c>) makes a missing version non-fatal.</param>
/// <param name="FlagsOffset">Byte offset of <c>vna_flags</c> in the file, so the flag can be set in place.</param>
public sealed record VersionNeed(string File, string Name, ushort Flags, long FlagsOffset)
{
    /// <summary>The ELF flag that tells the dynamic loader a missing version is not fatal.</summary>
    public const ushort WeakFlag = 0x2;

    /// <summary>Whether the weak flag is already set.</summary>
    public bool IsWeak => (Flags & WeakFlag) != 0;
}

/// <summary>
/// Reads the version tables of a 64-bit little-endian ELF shared object: the versions it needs
/// (<c>.gnu.version_r</c>) and the versions it defines (<c>.gnu.version_d</c>). Sections are found
/// through the section header table by type, never at fixed offsets.
/// </summary>
public static class ElfVersionTables
{
    const uint ShtGnuVerdef = 0x6ffffffd;
    const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>Every Vernaux record of the file, in file order.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a 64-bit little-endian ELF or a table is out of bounds.</exception>
    public static IReadOnlyList<VersionNeed> ReadNeeds(ReadOnlySpan<byte> elf)
    {
        var result = new List<VersionNeed>();
        foreach (var section in Sections(elf))
        {
            if (section.Type != ShtGnuVerneed) continue;
            var strings = StringTable(elf, section.Link);
            long entry = section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
                Check(elf, entry, 16);
                ushort count = U16(elf, entry + 2);
                string file = CString(elf, strings, U32(elf, entry + 4));
                long aux = entry + U32(elf, entry + 8);
                for (int k = 0; k < count; k++)
                {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                    Check(elf, aux, 16);
                    result.Add(new VersionNeed(file, CString(elf, strings, U32(elf, aux + 8)), U16(elf, aux + 4), aux + 4));
                    uint nextAux = U32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(elf, entry + 12);
                if (next == 0) break;
                entry += next;
            }
        }
        return result;
    }

    /// <summary>The names of every version the file defines (what a library such as libstdc++ provides).</summary>
    public static IReadOnlySet<string> ReadDefinitions(ReadOnlySpan<byte> elf)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in Sections(elf))
        {
            if (section.Type != ShtGnuVerdef) continue;
            var strings = StringTable(elf, section.Link);
            long entry = section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32.
                Check(elf, entry, 20);
                long aux = entry + U32(elf, entry + 12);
                Check(elf, aux, 8);
                names.Add(CString(elf, strings, U32(elf, aux)));
                uint next = U32(elf, entry + 16);
                if (next == 0) break;
                entry += next;
            }
        }
        return names;
    }

    readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info);

    static List<Section> Sections(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file (bad magic)");
        if (elf[4] != 2) throw new InvalidDataException("only 64-bit ELF files are supported");
        if (elf[5] != 1) throw new InvalidDataException("only little-endian ELF files are supported");
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
        ushort shentsize = U16(elf, 0x3A);
        ushort shnum = U16(elf, 0x3C);
        if (shentsize < 64) throw new InvalidDataException($"section header entry size {shentsize} is too small");
        var sections = new List<Section>(shnum);
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            Check(elf, h, 64);
            sections.Add(new Section(
                U32(elf, h + 4),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(elf[(int)(h + 24)..]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(elf[(int)(h + 32)..]),
                U32(elf, h + 40),
                U32(elf, h + 44)));
        }
        foreach (var s in sections)
            if (s.Type is ShtGnuVerneed or ShtGnuVerdef) Check(elf, s.Offset, s.Size);
        return sections;

    }

    static (long Offset, long Size) StringTable(ReadOnlySpan<byte> elf, uint index)
    {
        var all = Sections(elf);
        if (index >= all.Count) throw new InvalidDataException($"string table section {index} does not exist");
        return (all[(int)index].Offset, all[(int)index].Size);
    }

    static string CString(ReadOnlySpan<byte> elf, (long Offset, long Size) table, uint at)
    {
        if (at >= table.Size) throw new InvalidDataException($"string offset {at} is outside the string table");
        var rest = elf.Slice((int)(table.Offset + at), (int)(table.Size - at));
        int end = rest.IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException("unterminated string in the string table");
        return Encoding.ASCII.GetString(rest[..end]);
    }

    static void Check(ReadOnlySpan<byte> elf, long offset, long size)
    {
        if (offset < 0 || size < 0 || offset + size > elf.Length)
            throw new InvalidDataException($"ELF structure at offset {offset} (size {size}) runs past the end of the file ({elf.Length} bytes)");
    }

    static ushort U16(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadUInt16LittleEndian(b[(int)at..]);
    static uint U32(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadUInt32LittleEndian(b[(int)at..]);
}
