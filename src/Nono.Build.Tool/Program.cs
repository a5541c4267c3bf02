using Nono.Build.Tool;

if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("dotnet nono: error NONO0001: the whole-build sandbox runs on Linux (Landlock) only; build with dotnet directly elsewhere.");
    return 1;
}
return WholeBuild.Run(args);
