using DeepSeekR1.Actors.BuildTools;

// r1-buildtools weaken-versions DIR_OR_FILE [--version NAME ...]
//   Called by the build (Directory.Build.targets) on every output folder that carries libLibTorchSharp.so.
// r1-buildtools keep-alive DIR_OR_FILE
//   Called by the build on every output folder that carries TorchSharp.dll (KeepAlivePatcher says why).
if (args.Length >= 2 && args[0] == "keep-alive")
{
    string where = args[1];
    IEnumerable<string> assemblies = Directory.Exists(where)
        ? Directory.EnumerateFiles(where, "TorchSharp.dll", SearchOption.TopDirectoryOnly)
        : File.Exists(where) ? [where] : [];
    foreach (var file in assemblies)
    {
        try
        {
            var report = KeepAlivePatcher.Patch(file);
            if (!report.AlreadyPatched)
                Console.WriteLine($"r1-buildtools: kept tensor and scalar arguments alive to the end of {report.Methods} methods of {file}");
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadImageFormatException)
        {
            Console.Error.WriteLine($"r1-buildtools: error: {file}: {e.Message}");
            return 1;
        }
    }
    return 0;
}

if (args.Length < 2 || args[0] != "weaken-versions")
{
    Console.Error.WriteLine("usage: r1-buildtools weaken-versions <dir-or-file> [--version NAME ...] | keep-alive <dir-or-file>");
    return 2;
}

var versions = new List<string>();
for (int i = 2; i < args.Length; i++)
{
    if (args[i] == "--version" && i + 1 < args.Length) versions.Add(args[++i]);
    else { Console.Error.WriteLine($"r1-buildtools: unknown argument '{args[i]}'"); return 2; }
}
if (versions.Count == 0) versions.AddRange(WeakVersionPatcher.DefaultVersions);

string target = args[1];
IEnumerable<string> files = Directory.Exists(target)
    ? Directory.EnumerateFiles(target, "libLibTorchSharp.so", SearchOption.AllDirectories)
    : File.Exists(target) ? [target] : [];

foreach (var file in files)
{
    try
    {
        var report = WeakVersionPatcher.Patch(file, versions, WeakVersionPatcher.InstalledDefinitions);
        if (report.Changed)
            Console.WriteLine($"r1-buildtools: marked {string.Join(", ", report.Weakened)} weak in {file}");
    }
    catch (Exception e) when (e is InvalidDataException or IOException)
    {
        Console.Error.WriteLine($"r1-buildtools: error: {file}: {e.Message}");
        return 1;
    }
}
return 0;
