namespace Nono;

/// <summary>An error from the Nono library, with its kind and, where there is one, the path concerned.</summary>
public sealed class NonoException : Exception
{
    /// <summary>Creates an exception of a kind.</summary>
    public NonoException(NonoErrorKind kind, string message, string? path = null, Exception? inner = null)
        : base(path is null ? message : $"{message}: {path}", inner)
    {
        Kind = kind;
        Path = path;
    }

    /// <summary>What went wrong.</summary>
    public NonoErrorKind Kind { get; }

    /// <summary>The path concerned, if any.</summary>
    public string? Path { get; }
}
