using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Nono.Build.Tool;

/// <summary>
/// What a package's assembly holds, read from its metadata with <see cref="MetadataReader"/>:
/// the assembly is never loaded, so none of its code runs.
/// </summary>
internal static class PackageAssembly
{
    /// <summary>The base types that make a task a ToolTask: it starts a program of its own, without Exec.</summary>
    private static readonly HashSet<string> ToolTaskBases = new(StringComparer.Ordinal)
    {
        "Microsoft.Build.Utilities.ToolTask",
        "Microsoft.Build.Tasks.ToolTaskExtension",
    };

    /// <summary>Whether a task type was found in an assembly, and whether it derives from ToolTask.</summary>
    public enum TaskKind
    {
        /// <summary>The assembly is unreadable, or has no type of that name.</summary>
        NotFound,
        Task,
        ToolTask,
    }

    /// <summary>
    /// The task <paramref name="taskName"/> (a full type name, or a bare name matched against
    /// every namespace, as MSBuild does) in the assembly at <paramref name="path"/>: found, and
    /// whether it derives from ToolTask through types of the same assembly.
    /// </summary>
    public static TaskKind Task(string path, string taskName)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
                return TaskKind.NotFound;
            var reader = pe.GetMetadataReader();
            var qualified = taskName.Contains('.');
            foreach (var handle in reader.TypeDefinitions)
            {
                var type = reader.GetTypeDefinition(handle);
                var name = reader.GetString(type.Name);
                if (qualified ? FullName(reader, type) != taskName : name != taskName)
                    continue;
                return DerivesFromToolTask(reader, type) ? TaskKind.ToolTask : TaskKind.Task;
            }
            return TaskKind.NotFound;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
        {
            return TaskKind.NotFound;
        }
    }

    /// <summary>
    /// How many types of the assembly at <paramref name="path"/> carry <c>[DiagnosticAnalyzer]</c>
    /// (analyzers and suppressors) and <c>[Generator]</c> (source generators); null if it is no
    /// readable .NET assembly.
    /// </summary>
    public static (int Analyzers, int Generators)? CompilerExtensions(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
                return null;
            var reader = pe.GetMetadataReader();
            int analyzers = 0, generators = 0;
            foreach (var handle in reader.TypeDefinitions)
            {
                var type = reader.GetTypeDefinition(handle);
                bool analyzer = false, generator = false;
                foreach (var attributeHandle in type.GetCustomAttributes())
                {
                    switch (AttributeTypeName(reader, reader.GetCustomAttribute(attributeHandle)))
                    {
                        case "Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzerAttribute":
                            analyzer = true;
                            break;
                        case "Microsoft.CodeAnalysis.GeneratorAttribute":
                            generator = true;
                            break;
                    }
                }
                analyzers += analyzer ? 1 : 0;
                generators += generator ? 1 : 0;
            }
            return (analyzers, generators);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private static bool DerivesFromToolTask(MetadataReader reader, TypeDefinition type)
    {
        // Through the assembly's own types only: a base in another assembly is not read.
        for (var depth = 0; depth < 32; depth++)
        {
            var baseType = type.BaseType;
            if (baseType.IsNil)
                return false;
            switch (baseType.Kind)
            {
                case HandleKind.TypeDefinition:
                    type = reader.GetTypeDefinition((TypeDefinitionHandle)baseType);
                    if (ToolTaskBases.Contains(FullName(reader, type)))
                        return true;
                    continue;
                case HandleKind.TypeReference:
                    return ToolTaskBases.Contains(FullName(reader, reader.GetTypeReference((TypeReferenceHandle)baseType)));
                default:
                    return false;
            }
        }
        return false;
    }

    private static string? AttributeTypeName(MetadataReader reader, CustomAttribute attribute)
    {
        switch (attribute.Constructor.Kind)
        {
            case HandleKind.MemberReference:
                var parent = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
                return parent.Kind == HandleKind.TypeReference ? FullName(reader, reader.GetTypeReference((TypeReferenceHandle)parent)) : null;
            case HandleKind.MethodDefinition:
                var declaring = reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType();
                return FullName(reader, reader.GetTypeDefinition(declaring));
            default:
                return null;
        }
    }

    private static string FullName(MetadataReader reader, TypeDefinition type)
    {
        var name = reader.GetString(type.Name);
        if (type.GetDeclaringType() is { IsNil: false } declaring)
            return FullName(reader, reader.GetTypeDefinition(declaring)) + "+" + name;
        var ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private static string FullName(MetadataReader reader, TypeReference type)
    {
        var name = reader.GetString(type.Name);
        var ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
