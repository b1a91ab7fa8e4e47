using System.Diagnostics;

namespace Nabla.Distributed.Tests.Support;

/// <summary>
/// Two "hosts" on this machine: two network namespaces joined by a veth pair (10.77.N.1 and 10.77.N.2), and an rsh agent
/// script with which mpirun starts its daemon for a host inside that host's namespace, so that ranks talk over a real
/// network interface with Open MPI's TCP transport. Needs root and iproute2; removed on dispose.
/// </summary>
public sealed class TwoHosts : IDisposable
{
    private readonly string _a, _b;

    public TwoHosts(string folder)
    {
        int id = Environment.ProcessId % 100000, net = 1 + Environment.ProcessId % 250;
        (_a, _b) = ($"nabla{id}a", $"nabla{id}b");
        (HostA, HostB) = ($"10.77.{net}.1", $"10.77.{net}.2");
        Subnet = $"10.77.{net}.0/24";
        Ip("netns", "add", _a);
        Ip("netns", "add", _b);
        Ip("link", "add", _a, "type", "veth", "peer", "name", _b);   // interface names as the namespaces
        Ip("link", "set", _a, "netns", _a);
        Ip("link", "set", _b, "netns", _b);
        foreach (var (ns, address) in new[] { (_a, HostA), (_b, HostB) })
        {
            Ip("-n", ns, "addr", "add", $"{address}/24", "dev", ns);
            Ip("-n", ns, "link", "set", ns, "up");
            Ip("-n", ns, "link", "set", "lo", "up");
        }
        Agent = Path.Combine(folder, "netns-agent.sh");
        // mpirun calls: AGENT [options] HOST COMMAND...; the command is a shell line (environment settings, then orted).
        File.WriteAllText(Agent, $"""
            #!/bin/sh
            while [ $# -gt 0 ]; do case "$1" in -*) shift ;; *) break ;; esac; done
            host=$1; shift
            case "$host" in {HostA}) ns={_a} ;; {HostB}) ns={_b} ;; *) echo "netns-agent: unknown host $host" >&2; exit 1 ;; esac
            exec ip netns exec "$ns" /bin/sh -c "$*"
            """);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Agent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>The two addresses.</summary>
    public string HostA { get; }

    /// <inheritdoc cref="HostA"/>
    public string HostB { get; }

    /// <summary>Their network, for Open MPI's <c>btl_tcp_if_include</c>.</summary>
    public string Subnet { get; }

    /// <summary>The rsh agent script.</summary>
    public string Agent { get; }

    /// <summary>
    /// The command line that runs mpirun inside host A's namespace with one rank on each host over TCP. Without
    /// <c>--bind-to none</c> each "host" would bind its rank to its first core, the same core of this one machine, and
    /// the two ranks' busy-waiting would take turns at the scheduler's pace (about 12 ms a message).
    /// </summary>
    public List<string> MpirunCommand() =>
    [
        "netns", "exec", _a, MpiTools.Mpirun, "--allow-run-as-root", "--oversubscribe", "-np", "2", "--host", $"{HostA}:1,{HostB}:1",
        "--bind-to", "none", "--mca", "plm_rsh_agent", Agent, "--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", Subnet, "--mca", "oob_tcp_if_include", Subnet,
    ];

    /// <summary>Bytes host A's interface has sent.</summary>
    public long BytesSentByA() => long.Parse(Ip("netns", "exec", _a, "cat", $"/sys/class/net/{_a}/statistics/tx_bytes").Trim());

    private static string Ip(params string[] args)
    {
        var r = MpiTools.Run("ip", args, "/", timeout: TimeSpan.FromSeconds(20));
        if (r.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {r.Stderr}");
        return r.Stdout;
    }

    public void Dispose()
    {
        foreach (var ns in new[] { _a, _b })
            try { Process.Start("ip", ["netns", "del", ns])?.WaitForExit(); } catch (Exception) { }
    }
}
