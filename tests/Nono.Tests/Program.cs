namespace Nono.Tests;

internal static class Program
{
    public static int Main(string[] args)
    {
        if (Environment.GetEnvironmentVariable(ApplyChild.Switch) == "1")
            return ApplyChild.Run();
        if (args.Any(arg => arg is "--server" or "--internal-msbuild-node"))
            return Xunit.MicrosoftTestingPlatform.TestPlatformTestFramework.RunAsync(args, SelfRegisteredExtensions.AddSelfRegisteredExtensions).GetAwaiter().GetResult();
        return Xunit.Runner.InProc.SystemConsole.ConsoleRunner.Run(args).GetAwaiter().GetResult();
    }
}
