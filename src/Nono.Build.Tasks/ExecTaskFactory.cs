using System.Reflection;
using Microsoft.Build.Framework;

namespace Nono.Build.Tasks;

/// <summary>
/// Makes the sandboxed <see cref="Exec"/> answer to a name no type of this assembly ends with:
/// <c>Microsoft.Build.Tasks.Exec</c>, MSBuild's own full name for Exec, which a target can call
/// directly.
/// </summary>
public sealed class ExecTaskFactory : ITaskFactory
{
    public string FactoryName => nameof(ExecTaskFactory);

    public Type TaskType => typeof(Exec);

    public bool Initialize(string taskName, IDictionary<string, TaskPropertyInfo> parameterGroup, string taskBody, IBuildEngine taskFactoryLoggingHost) => true;

    public TaskPropertyInfo[] GetTaskParameters() =>
        typeof(Exec).GetProperties(BindingFlags.Instance | BindingFlags.Public)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic || p.GetCustomAttribute<OutputAttribute>() is not null)
            .Select(p => new TaskPropertyInfo(p.Name, p.PropertyType, p.GetCustomAttribute<OutputAttribute>() is not null, p.GetCustomAttribute<RequiredAttribute>() is not null))
            .ToArray();

    public ITask CreateTask(IBuildEngine taskFactoryLoggingHost) => new Exec();

    public void CleanupTask(ITask task)
    {
    }
}
