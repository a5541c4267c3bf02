#:project ../../src/Nono/Nono.csproj
// The egress proxy alone, for eng/bench/egress.sh: prints the address (with a credential) of a
// grant for the hosts given as arguments, serves until standard input closes, then prints on
// standard error what it refused.
using Nono.Egress;

using var proxy = new EgressProxy();
using var grant = proxy.Grant(args.Select(HostPattern.Parse));
Console.WriteLine(grant.ProxyUrl);
Console.Out.Flush();
Console.In.ReadToEnd();
foreach (var e in grant.Events)
    Console.Error.WriteLine($"egress-proxy: {e.Outcome} {e.Host}:{e.Port} {e.Detail}");
