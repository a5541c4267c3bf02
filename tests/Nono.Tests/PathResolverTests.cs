namespace Nono.Tests;

public class PathResolverTests
{
    internal static string RealPath(string path) => PathResolver.ResolveExisting(path);

    [Fact]
    public void QueryPaths_ResolveTheExistingPart_AndKeepTheRest()
    {
        using var temp = new TempDir();
        var real = temp.Dir("real");
        var link = temp.Combine("link");
        Directory.CreateSymbolicLink(link, real);

        Assert.Equal(Path.Combine(real, "a", "b"), PathResolver.ResolveForQuery(Path.Combine(link, "a", "b")));
        Assert.Equal(real, PathResolver.ResolveForQuery(link + "/"));
        Assert.Equal("/", PathResolver.ResolveForQuery("/"));
    }
}
