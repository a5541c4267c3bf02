namespace Nono.Tests;

internal static class Program
{
    public static int Main(string[] args)
    {
        if (Environment.GetEnvironmentVariable(ApplyChild.Switch) == "1")
            return ApplyChild.Run();
#if NONO_MACOS
        if (Environment.GetEnvironmentVariable(MacOS.MacChild.Switch) is { Length: > 0 } mode)
            return MacOS.MacChild.RunChild(mode);
#endif
        if (args.Any(arg => arg is "--server" or "--internal-msbuild-node"))
            return Xunit.MicrosoftTestingPlatform.TestPlatformTestFramework.RunAsync(args, SelfRegisteredExtensions.AddSelfRegisteredExtensions).GetAwaiter().GetResult();
        return Xunit.Runner.InProc.SystemConsole.ConsoleRunner.Run(args).GetAwaiter().GetResult();
    }
}
