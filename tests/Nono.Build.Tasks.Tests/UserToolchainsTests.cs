namespace Nono.Build.Tasks.Tests;

public sealed class UserToolchainsTests : IDisposable
{
    private readonly string home = Directory.CreateTempSubdirectory("nono-home-").FullName;

    public void Dispose() => Directory.Delete(home, recursive: true);

    private string Make(string relative) => Directory.CreateDirectory(Path.Combine(home, relative)).FullName;

    private (CapabilitySet Caps, List<string> Warnings) Run(string path, Dictionary<string, string>? variables = null)
    {
        var caps = new CapabilitySet().AllowPath("/usr", AccessMode.Read | AccessMode.Execute);
        var warnings = UserToolchains.AddTo(caps, path, home, name => variables?.GetValueOrDefault(name));
        return (caps, warnings);
    }

    private static string[] Granted(CapabilitySet caps) => caps.FileSystem.Skip(1).Select(c => c.ResolvedPath).ToArray();

    [Fact]
    public void AVersionManagersShims_GetItsRoot()
    {
        var shims = Make(".pyenv/shims");
        var plugin = Make(".pyenv/plugins/pyenv-virtualenv/shims");
        var (caps, warnings) = Run($"{plugin}:{shims}:/usr/bin");
        Assert.Empty(warnings);
        Assert.Equal([Path.Combine(home, ".pyenv")], Granted(caps)); // once: the second folder is inside it
        Assert.All(caps.FileSystem, c => Assert.True(c.Access.HasFlag(AccessMode.Execute)));
    }

    [Fact]
    public void AManagersRootFromItsVariable_IsUsed()
    {
        var root = Make("tools/nvm");
        var bin = Make("tools/nvm/versions/node/v20.0.0/bin");
        var (caps, warnings) = Run(bin, new() { ["NVM_DIR"] = root });
        Assert.Empty(warnings);
        Assert.Equal([root], Granted(caps));
    }

    [Fact]
    public void LocalBinAndCargo_GetTheirLibrariesButNotTheirParents()
    {
        var local = Make(".local/bin");
        var lib = Make(".local/lib");
        Make(".local/share/keyrings");
        var cargo = Make(".cargo/bin");
        var rustup = Make(".rustup");
        var tools = Make(".dotnet/tools");
        var (caps, warnings) = Run($"{local}:{cargo}:{tools}");
        Assert.Empty(warnings);
        Assert.Equal([local, lib, cargo, rustup, tools], Granted(caps));
    }

    [Fact]
    public void HomeItselfOrASecretsFolder_IsAWarning_NeverAGrant()
    {
        var ssh = Make(".ssh");
        var (caps, warnings) = Run($"{home}:{ssh}:/usr/bin:/nonexistent");
        Assert.Empty(Granted(caps));
        Assert.Equal(2, warnings.Count);
        Assert.Contains("is the home folder", warnings[0]);
        Assert.Contains("a secrets folder", warnings[1]);
    }
}
