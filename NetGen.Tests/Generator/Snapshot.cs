using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace NetGen.Tests.Generator;

/// <summary>
/// Golden-file checks in Verify's convention: the expected text lives in <c>&lt;TestFile&gt;.&lt;Case&gt;.verified.cs</c>
/// beside the test source. A mismatch writes <c>*.received.cs</c> next to it and fails; running with
/// <c>NETGEN_ACCEPT=1</c> accepts the received text as the new verified file.
/// </summary>
internal static partial class Snapshot
{
    public static void Verify(string actual, string name, [CallerFilePath] string testFile = "")
    {
        string directory = Path.GetDirectoryName(testFile)!;
        string prefix = Path.Combine(directory, Path.GetFileNameWithoutExtension(testFile) + "." + name);
        string verifiedPath = prefix + ".verified.cs", receivedPath = prefix + ".received.cs";
        string received = Scrub(actual);
        string? verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (verified == received)
        {
            File.Delete(receivedPath);
            return;
        }
        if (Environment.GetEnvironmentVariable("NETGEN_ACCEPT") == "1")
        {
            File.WriteAllText(verifiedPath, received);
            File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, received);
        Assert.Fail(verified is null
            ? $"No snapshot {verifiedPath} yet; the output is in {receivedPath}. Review it and run with NETGEN_ACCEPT=1 to accept."
            : $"Generated code differs from {verifiedPath}; see `diff -u {verifiedPath} {receivedPath}`. Run with NETGEN_ACCEPT=1 to accept the change.");
    }

    /// <summary>Replaces the generator version (which changes with every release) and normalises line ends.</summary>
    private static string Scrub(string text) => VersionPattern().Replace(Normalize(text), "\"NetGen.Generator\", \"{version}\"");

    private static string Normalize(string text) => text.Replace("\r\n", "\n");

    [GeneratedRegex("\"NetGen\\.Generator\", \"[0-9.]+\"")]
    private static partial Regex VersionPattern();
}
