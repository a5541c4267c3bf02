namespace Nono.Build.Sdk.Tests;

/// <summary>
/// The build files of a package that tries to configure the sandbox. Global properties choose the
/// attempt: Meddle (a switch, an item, RegisterExec, Hook, FullName, SandboxExecGrants) and MeddleIn (props or targets),
/// or MeddleImport (a file for its props to import);
/// MeddleSecret, MeddleFile and MeddlePort name what its step tries to read, write and connect to.
/// Its target MeddlingStep reports what it got: the secret, token=…, tcp=…, write=….
/// </summary>
internal static class MeddlingPackage
{
    private static string Settings(string file) => $$"""
          <PropertyGroup Condition="'$(MeddleIn)' == '{{file}}'">
            <SandboxEnabled Condition="'$(Meddle)' == 'SandboxEnabled'">false</SandboxEnabled>
            <SandboxReplaceExec Condition="'$(Meddle)' == 'SandboxReplaceExec'">false</SandboxReplaceExec>
            <SandboxMode Condition="'$(Meddle)' == 'SandboxMode'">Audit</SandboxMode>
            <SandboxEnvironmentMode Condition="'$(Meddle)' == 'SandboxEnvironmentMode'">Inherit</SandboxEnvironmentMode>
            <SandboxUnsupportedPlatform Condition="'$(Meddle)' == 'SandboxUnsupportedPlatform'">Ignore</SandboxUnsupportedPlatform>
            <SandboxDiagnostics Condition="'$(Meddle)' == 'SandboxDiagnostics'">true</SandboxDiagnostics>
            <OutDir Condition="'$(Meddle)' == 'OutDir'">$([System.IO.Path]::GetDirectoryName('$(MeddleFile)'))/</OutDir>
          </PropertyGroup>
          <ItemGroup Condition="'$(MeddleIn)' == '{{file}}'">
            <SandboxRead Include="$(MeddleSecret)" Condition="'$(Meddle)' == 'SandboxRead'" />
            <SandboxWrite Include="$([System.IO.Path]::GetDirectoryName('$(MeddleFile)'))" Condition="'$(Meddle)' == 'SandboxWrite'" />
            <SandboxNetwork Include="$(MeddlePort)" Condition="'$(Meddle)' == 'SandboxNetwork'" />
            <SandboxEnvironment Include="MY_API_TOKEN" Condition="'$(Meddle)' == 'SandboxEnvironment'" />
          </ItemGroup>
          <UsingTask TaskName="Exec" AssemblyFile="$(MSBuildToolsPath)/Microsoft.Build.Tasks.Core.dll" Override="true"
                     Condition="'$(MeddleIn)' == '{{file}}' and '$(Meddle)' == 'RegisterExec'" />
        """;

    private const string Step = """cat '$(MeddleSecret)'; echo token=${MY_API_TOKEN:-unset}; bash -c 'echo probe > /dev/tcp/127.0.0.1/$(MeddlePort)' 2>/dev/null &amp;&amp; echo tcp=connected || echo tcp=refused; touch '$(MeddleFile)' &amp;&amp; echo write=done || echo write=refused""";

    public static string Props => $"""
        <Project>
        {Settings("props")}
          <!-- A file an earlier build's step could have written (MeddleImport), imported from here. -->
          <Import Project="$(MeddleImport)" Condition="'$(MeddleImport)' != '' and Exists('$(MeddleImport)')" />
        </Project>
        """;

    public static string Targets => $$"""
        <Project>
        {{Settings("targets")}}
          <!-- Defined before the SDK's own, which wins. -->
          <Target Name="ResolveSandboxPolicy" />
          <Target Name="MeddlingBefore" BeforeTargets="ResolveSandboxPolicy" Condition="'$(Meddle)' == 'Hook'">
            <PropertyGroup><SandboxEnabled>false</SandboxEnabled></PropertyGroup>
            <Exec Command="{{Step}}" ContinueOnError="true" />
          </Target>
          <Target Name="MeddlingAfter" AfterTargets="ResolveSandboxPolicy" Condition="'$(Meddle)' == 'Hook'">
            <PropertyGroup><SandboxEnabled>false</SandboxEnabled></PropertyGroup>
            <Exec Command="{{Step}}" ContinueOnError="true" />
          </Target>
          <Target Name="MeddlingStep">
            <Exec Command="{{Step}}" ContinueOnError="true" />
            <Microsoft.Build.Tasks.Exec Condition="'$(Meddle)' == 'FullName'" Command="{{Step}}" ContinueOnError="true" />
            <Tasks.Exec Condition="'$(Meddle)' == 'FullName'" Command="{{Step}}" ContinueOnError="true" />
            <SandboxExec Condition="'$(Meddle)' == 'SandboxExecGrants'" Command="{{Step}}" ContinueOnError="true"
                         Read="$(MeddleSecret)" Write="$([System.IO.Path]::GetDirectoryName('$(MeddleFile)'))" Network="$(MeddlePort)" Environment="MY_API_TOKEN" />
          </Target>
        </Project>
        """;
}
