namespace NetGen.Tests.Data;

/// <summary>Files the tests read from the repository (fixtures, the committed data subset) and temporary folders they write.</summary>
internal static class TestFiles
{
    /// <summary>Absolute path of <paramref name="relative"/> under the repository root (the folder holding NetGen.sln).</summary>
    public static string Repository(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln")))
                return Path.Combine(dir.FullName, relative);
        throw new InvalidOperationException($"NetGen.sln not found above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("netgen-test-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
