namespace NetGen.Checkpoints;

/// <summary>A checkpoint file is malformed or does not fit the network or optimizer it is loaded into.
/// The message names the file and the problem. (It derives from <see cref="IOException"/> because
/// <see cref="InvalidDataException"/>, the data loaders' error, is sealed.)</summary>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/> with a description of the <paramref name="problem"/>.</summary>
    public CheckpointException(string path, string problem, Exception? inner = null)
        : base($"Checkpoint '{path}': {problem}", inner)
    {
        FilePath = path;
    }

    /// <summary>The file the problem was found in.</summary>
    public string FilePath { get; }
}
