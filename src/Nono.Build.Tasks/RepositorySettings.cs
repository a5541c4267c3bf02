using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Build.Evaluation;
using Microsoft.Build.Execution;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Nono.Build.Tasks;

/// <summary>
/// The sandbox's settings as the repository and the command line set them. A package's props or
/// targets may set a switch, add a Sandbox* item or move an output folder; such a value is dropped
/// (NONO0010 names the package, the file and the line the repository would add). Package
/// registrations of the names MSBuild's Exec answers to are listed for the probe that checks them.
/// </summary>
/// <remarks>
/// Cheap when no package touches the sandbox, which is the usual case: the project's imports are
/// read from MSBuild's own evaluation, and only the few package files among them are scanned for
/// anything that could. Only if one could is the project evaluated again (a few hundred
/// milliseconds), where every property and item knows the file that defined it.
/// </remarks>
internal static partial class RepositorySettings
{
    /// <summary>Switches: name → the SDK's default.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["SandboxEnabled"] = "true",
        ["SandboxReplaceExec"] = "true",
        ["SandboxMode"] = "Enforce",
        ["SandboxEnvironmentMode"] = "Scrub",
        ["SandboxUnsupportedPlatform"] = "Error",
        ["SandboxDiagnostics"] = "false",
        ["SandboxStandardInput"] = "Null",
    };

    public static readonly string[] ItemTypes = ["SandboxRead", "SandboxWrite", "SandboxNetwork", "SandboxEnvironment"];

    /// <summary>The items' metadata the sandbox reads: Execute (run programs from it), File (SandboxWrite: one file, created empty).</summary>
    public static readonly string[] ItemMetadata = ["Execute", "File"];

    /// <summary>Properties the default policy grants from: a package moving one would move a grant.</summary>
    public static readonly string[] PathProperties =
        ["IntermediateOutputPath", "OutputPath", "OutDir", "PackageOutputPath", "NuGetPackageRoot", "NuGetPackageFolders", "NUGET_PACKAGES", "NetCoreRoot", "NetCoreTargetingPackRoot", "DOTNET_HOST_PATH"];

    /// <summary>What a package file must contain to be able to change the sandbox's settings or its Exec.</summary>
    [GeneratedRegex("""Sandbox|Nono|<\s*(IntermediateOutputPath|BaseIntermediateOutputPath|OutputPath|OutDir|PackageOutputPath|NuGetPackageRoot|NuGetPackageFolders|NUGET_PACKAGES|NetCoreRoot|NetCoreTargetingPackRoot|DOTNET_HOST_PATH)\b|(PropertyName|ItemName)\s*=\s*"[^"]*[$@%]|<\s*UsingTask[^>]*TaskName\s*=\s*"[^"]*(Exec|\$)""", RegexOptions.IgnoreCase)]
    private static partial Regex MayTouchTheSandbox();

    /// <summary>
    /// The values to use: <paramref name="live"/> (the properties and items as the target passed
    /// them) when no package can have changed them, else the repository's own from a new evaluation.
    /// Null when the build must stop (errors logged).
    /// </summary>
    public static Settings? Resolve(Microsoft.Build.Utilities.Task task, string projectFile, BuildFileOrigin origin, Settings live, out string execRegistrations)
    {
        execRegistrations = "";
        var current = CurrentProject(task.BuildEngine);
        if (current is not null)
        {
            var owner = current.Targets.TryGetValue("ResolveSandboxPolicy", out var policyTarget) ? origin.Untrusted(policyTarget.FullPath) : "an import";
            if (owner is not null)
            {
                task.Log.LogError(null, Diagnostics.Tampered, null, null, 0, 0, 0, 0,
                    $"{owner} replaces the sandbox's ResolveSandboxPolicy target, so the build's steps could run outside the sandbox; the build stops. Remove the package, or set SandboxEnabled=false in the project if you trust it.");
                return null;
            }
            if (!MayHaveChanged(current, origin))
                return live;
        }
        return FromRepository(task, projectFile, origin, live, out execRegistrations);
    }

    /// <summary>Whether a package file among the imports could have set anything the sandbox reads, or run before the policy.</summary>
    private static bool MayHaveChanged(ProjectInstance project, BuildFileOrigin origin)
    {
        foreach (var file in project.ImportPaths.Distinct(StringComparer.Ordinal))
        {
            if (origin.Untrusted(file) is null)
                continue;
            try
            {
                if (MayTouchTheSandbox().IsMatch(File.ReadAllText(file)))
                    return true;
            }
            catch (IOException)
            {
                return true;
            }
        }
        // A repository InitialTarget that runs before the policy is hooked by a package target.
        var before = project.InitialTargets.TakeWhile(t => !t.Equals("ResolveSandboxPolicy", StringComparison.OrdinalIgnoreCase))
            .Append("ResolveSandboxPolicy").ToHashSet(StringComparer.OrdinalIgnoreCase);
        return project.Targets.Values.Any(t => origin.Untrusted(t.FullPath) is not null
            && (before.Contains(t.Name) || Names(t.BeforeTargets).Concat(Names(t.AfterTargets)).Any(before.Contains)));
    }

    private static IEnumerable<string> Names(string list) => list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// MSBuild's evaluation of the project being built. MSBuild offers tasks no way to it, so it is
    /// reached by reflection (TaskHost → its build request → the configuration's ProjectInstance);
    /// null where that changed, and the project is then evaluated again.
    /// </summary>
    internal static ProjectInstance? CurrentProject(IBuildEngine engine)
    {
        const BindingFlags Any = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        try
        {
            var entry = engine.GetType().GetField("_requestEntry", Any)?.GetValue(engine);
            var configuration = entry?.GetType().GetProperty("RequestConfiguration", Any)?.GetValue(entry);
            return configuration?.GetType().GetProperty("Project", Any)?.GetValue(configuration) as ProjectInstance;
        }
        catch (Exception e) when (e is TargetException or MemberAccessException or InvalidCastException)
        {
            return null;
        }
    }

    /// <summary>The project evaluated again, where every value knows the file that set it.</summary>
    private static Settings? FromRepository(Microsoft.Build.Utilities.Task task, string projectFile, BuildFileOrigin origin, Settings live, out string execRegistrations)
    {
        execRegistrations = "";
        var globals = task.BuildEngine is IBuildEngine6 e6 ? new Dictionary<string, string>(e6.GetGlobalProperties()) : new Dictionary<string, string>();
        using var collection = new ProjectCollection(globals);
        Project project;
        try
        {
            project = new Project(projectFile, globals, null, collection);
        }
        catch (Microsoft.Build.Exceptions.InvalidProjectFileException e)
        {
            task.Log.LogError(null, Diagnostics.Tampered, null, null, 0, 0, 0, 0,
                $"the sandbox could not check where its settings come from: evaluating '{projectFile}' failed: {e.Message}");
            return null;
        }

        execRegistrations = ExecRegistrations(project, origin);
        var log = task.Log;
        string Value(string name, string? fallback)
        {
            for (var property = project.GetProperty(name); property is not null; property = property.Predecessor)
            {
                if (property.Xml is null || property.IsEnvironmentProperty || property.IsGlobalProperty || property.IsReservedProperty)
                    return property.EvaluatedValue;
                if (origin.Untrusted(property.Xml.Location.File) is not { } owner)
                    return property.EvaluatedValue;
                log.LogWarning(null, Diagnostics.PackageSetting, null, property.Xml.Location.File, property.Xml.Location.Line, property.Xml.Location.Column, 0, 0,
                    $"{owner} sets {name} to '{property.EvaluatedValue}'; only the repository and the command line configure the build sandbox, so this is ignored. If the repository agrees, set it in the project: <{name}>{System.Security.SecurityElement.Escape(property.UnevaluatedValue)}</{name}>");
            }
            return System.Environment.GetEnvironmentVariable(name) ?? fallback ?? "";
        }

        var switches = Switches.ToDictionary(s => s.Key, s => Value(s.Key, s.Value));
        var paths = PathProperties.ToDictionary(p => p, p => Value(p, null));
        var items = ItemTypes.ToDictionary(t => t, t => TrustedItems(log, project, t, origin));
        collection.UnloadAllProjects();
        return live with
        {
            Enabled = switches["SandboxEnabled"],
            ReplaceExec = switches["SandboxReplaceExec"],
            Mode = switches["SandboxMode"],
            EnvironmentMode = switches["SandboxEnvironmentMode"],
            UnsupportedPlatform = switches["SandboxUnsupportedPlatform"],
            Diagnostics = switches["SandboxDiagnostics"],
            StandardInput = switches["SandboxStandardInput"],
            IntermediateOutputPath = paths["IntermediateOutputPath"],
            OutputPaths = new[] { paths["IntermediateOutputPath"], paths["OutputPath"], paths["OutDir"], paths["PackageOutputPath"] }
                .Where(p => p.Length > 0).Select(p => (ITaskItem)new TaskItem(p)).ToArray(),
            PackageFolders = paths["NuGetPackageFolders"].Split(';').Append(paths["NuGetPackageRoot"]).Append(paths["NUGET_PACKAGES"]).ToArray(),
            DotnetRoots = [paths["NetCoreRoot"], paths["DOTNET_HOST_PATH"].Length > 0 ? Path.GetDirectoryName(paths["DOTNET_HOST_PATH"]) ?? "" : "", paths["NetCoreTargetingPackRoot"]],
            Read = items["SandboxRead"],
            Write = items["SandboxWrite"],
            Network = items["SandboxNetwork"],
            Environment = items["SandboxEnvironment"],
        };
    }

    /// <summary>The items of one type the repository declared, with only the metadata it set.</summary>
    private static ITaskItem[] TrustedItems(TaskLoggingHelper log, Project project, string itemType, BuildFileOrigin origin)
    {
        var trusted = new List<ITaskItem>();
        foreach (var item in project.GetItems(itemType))
        {
            var line = $"<{itemType} Include=\"{System.Security.SecurityElement.Escape(item.EvaluatedInclude)}\" />";
            if (origin.Untrusted(item.Xml.Location.File) is { } owner)
            {
                log.LogWarning(null, Diagnostics.PackageSetting, null, item.Xml.Location.File, item.Xml.Location.Line, item.Xml.Location.Column, 0, 0,
                    $"{owner} adds {line}; only the repository and the command line configure the build sandbox, so this is ignored. If the repository agrees, add it to the project: {line}");
                continue;
            }
            var taskItem = new TaskItem(item.EvaluatedInclude);
            foreach (var name in ItemMetadata)
            {
                if (item.GetMetadata(name) is not { } metadata)
                    continue;
                while (metadata is not null && metadata.Xml is not null && origin.Untrusted(metadata.Location.File) is { } metadataOwner)
                {
                    log.LogWarning(null, Diagnostics.PackageSetting, null, metadata.Location.File, metadata.Location.Line, metadata.Location.Column, 0, 0,
                        $"{metadataOwner} sets {name}=\"{metadata.EvaluatedValue}\" on {line}; only the repository and the command line configure the build sandbox, so this is ignored. If the repository agrees, add the metadata in the project: <{itemType} Update=\"{System.Security.SecurityElement.Escape(item.EvaluatedInclude)}\" {name}=\"{metadata.EvaluatedValue}\" />");
                    metadata = metadata.Predecessor;
                }
                if (metadata is not null)
                    taskItem.SetMetadata(name, metadata.EvaluatedValue);
            }
            trusted.Add(taskItem);
        }
        return trusted.ToArray();
    }

    /// <summary>
    /// Package UsingTasks for a name MSBuild's Exec answers to, for the message when the probe finds
    /// that one took effect (their conditions are not evaluated here).
    /// </summary>
    private static string ExecRegistrations(Project project, BuildFileOrigin origin) =>
        string.Join("; ", project.Imports.SelectMany(i => i.ImportedProject.UsingTasks)
            .Select(u => (Name: project.ExpandString(u.TaskName), u.Location, Owner: origin.Untrusted(u.Location.File)))
            .Where(u => u.Owner is not null && (u.Name.Equals("Exec", StringComparison.OrdinalIgnoreCase) || u.Name.EndsWith(".Exec", StringComparison.OrdinalIgnoreCase)))
            .Select(u => $"{u.Owner} registers '{u.Name}' in {u.Location.File}, line {u.Location.Line}")
            .Distinct());

    /// <summary>The sandbox's inputs, as strings the way MSBuild passes them.</summary>
    public sealed record Settings(
        string Enabled, string ReplaceExec, string Mode, string EnvironmentMode, string UnsupportedPlatform, string Diagnostics, string StandardInput,
        ITaskItem[] OutputPaths, string IntermediateOutputPath, string[] PackageFolders, string[] DotnetRoots,
        ITaskItem[] Read, ITaskItem[] Write, ITaskItem[] Network, ITaskItem[] Environment);
}
