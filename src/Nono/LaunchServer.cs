using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Nono.Native;

namespace Nono;

/// <summary>
/// One <c>nono-exec --serve</c> per process (native/src/serve.h), started at first use: every
/// launch forks from that small process instead of this one starting nono-exec, which in a large
/// process such as an MSBuild node costs a process start of its own per launch.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed unsafe class LaunchServer
{
    private const uint Magic = 0x6e6f6e31; // NONO_LAUNCH_MAGIC
    private static readonly object startGate = new();
    private static LaunchServer? shared;

    private readonly int socket, pid;
    private readonly object sendGate = new();
    private bool broken;

    private LaunchServer(int socket, int pid) => (this.socket, this.pid) = (socket, pid);

    /// <summary>
    /// Starts <paramref name="arguments"/> (nono-exec's, without its own name) under this
    /// process's server, with <paramref name="environment"/> in <paramref name="workingDirectory"/>;
    /// <paramref name="rulesetFd"/> is the descriptor their <c>--ruleset-fd</c> names, or -1. Null
    /// where no server can run (an enclosing sandbox without Unix socket pairs, a server that went
    /// away twice): start nono-exec as a process then.
    /// </summary>
    /// <exception cref="NonoException">SandboxInit: the step's pipes or its request failed.</exception>
    public static ServedProcess? TryStart(IReadOnlyList<string> arguments, IEnumerable<KeyValuePair<string, string?>> environment,
        string workingDirectory, int rulesetFd)
    {
        var request = Request(arguments, environment, workingDirectory, rulesetFd);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var server = Shared();
            if (server is null)
                return null;
            if (server.Send(request, rulesetFd) is { } process)
                return process;
        }
        return null;
    }

    /// <summary>Starts this process's server ahead of its first launch.</summary>
    public static void Prestart() => Shared();

    private static LaunchServer? Shared()
    {
        lock (startGate)
        {
            if (shared is { broken: false })
                return shared;
            var pair = stackalloc int[2];
            if (LibC.StreamSocketPair(pair) != 0)
                return null;
            var pid = LibNono.ServeStart(NativeAssets.Launcher(), pair[1]);
            LibC.Close(pair[1]);
            if (pid < 0)
            {
                LibC.Close(pair[0]);
                return null;
            }
            return shared = new LaunchServer(pair[0], pid);
        }
    }

    private ServedProcess? Send(byte[] request, int rulesetFd)
    {
        var output = stackalloc int[2];
        var error = stackalloc int[2];
        var status = stackalloc int[2];
        output[0] = output[1] = error[0] = error[1] = status[0] = status[1] = -1;
        // This process's standard input, which the step's nono-exec replaces with /dev/null unless
        // told to keep it; /dev/null where this process has none.
        var input = LibC.IsOpen(0) ? 0 : LibC.OpenDevNull();
        try
        {
            if (input < 0 || LibC.Pipe(output) != 0 || LibC.Pipe(error) != 0 || LibC.StreamSocketPair(status) != 0)
                throw new NonoException(NonoErrorKind.SandboxInit, $"cannot make the step's pipes (errno {Marshal.GetLastPInvokeError()})");
            var fds = stackalloc int[] { input, output[1], error[1], status[1], rulesetFd };
            lock (sendGate)
            {
                if (broken)
                    return null;
                int sent;
                fixed (byte* bytes = request)
                    sent = LibNono.ServeSend(socket, bytes, (nuint)request.Length, fds, rulesetFd >= 0 ? 5 : 4);
                if (sent != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is not (EPipe or EConnReset or ENotConn))
                        throw new NonoException(NonoErrorKind.SandboxInit, $"cannot send the step to the launch server (errno {errno})");
                    // The server went away: it is started again for the next launch.
                    broken = true;
                    LibC.Close(socket);
                    LibC.Kill(pid, 9);
                    LibC.WaitPid(pid);
                    return null;
                }
            }
            var process = new ServedProcess(output[0], error[0], status[0]);
            output[0] = error[0] = status[0] = -1;
            return process;
        }
        finally
        {
            foreach (var fd in new[] { output[0], output[1], error[0], error[1], status[0], status[1], input > 0 ? input : -1 })
                if (fd >= 0)
                    LibC.Close(fd);
        }
    }

    private const int EPipe = 32, EConnReset = 104, ENotConn = 107;

    /// <summary>The header and body of native/src/serve.h's request.</summary>
    private static byte[] Request(IReadOnlyList<string> arguments, IEnumerable<KeyValuePair<string, string?>> environment,
        string workingDirectory, int rulesetFd)
    {
        var body = new MemoryStream();
        void Add(string text)
        {
            if (text.Contains('\0'))
                throw new NonoException(NonoErrorKind.InvalidArgument, $"a NUL character cannot be passed to a process: '{text.Replace("\0", "\\0")}'");
            body.Write(Encoding.UTF8.GetBytes(text));
            body.WriteByte(0);
        }
        Add(workingDirectory);
        Add("nono-exec");
        foreach (var argument in arguments)
            Add(argument);
        var envc = 0;
        foreach (var (name, value) in environment)
        {
            if (value is null)
                continue;
            Add(name + "=" + value);
            envc++;
        }
        var request = new byte[20 + body.Length];
        var header = request.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)arguments.Count + 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)envc);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], rulesetFd);
        body.GetBuffer().AsSpan(0, (int)body.Length).CopyTo(request.AsSpan(20));
        return request;
    }
}

/// <summary>
/// A process a <see cref="LaunchServer"/> started. Its output is read on the caller's thread, one
/// poll over both pipes: no thread of its own, no hop through the thread pool per line or at the end.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed unsafe class ServedProcess(int outputFd, int errorFd, int statusFd) : IDisposable
{
    private readonly object statusGate = new();
    private int output = outputFd, error = errorFd, status = statusFd;

    /// <summary>
    /// Passes each line the process writes (false: stdout, true: stderr) to <paramref name="line"/>
    /// as ToolTask would (split at \n, \r or \r\n; a last line without one too), until the process
    /// and everything it started have ended; after <paramref name="timeoutMs"/> (-1: none) it calls
    /// <paramref name="timedOut"/> once and kills them. Returns the exit code (128 + the signal
    /// that killed it), or null if its supervisor ended without saying (killed from outside) or
    /// did not end the process within 5 s of <see cref="Kill"/>.
    /// </summary>
    public int? Run(Action<string, bool> line, Encoding outputEncoding, Encoding errorEncoding, int timeoutMs, Action timedOut)
    {
        var streams = new[] { new LineSplitter(outputEncoding), new LineSplitter(errorEncoding) };
        var deadline = timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        var buffer = new byte[16384];
        var fds = stackalloc PollFd[2];
        while (output >= 0 || error >= 0)
        {
            fds[0] = new PollFd { Fd = output, Events = PollIn };
            fds[1] = new PollFd { Fd = error, Events = PollIn };
            // Checked before every read, not only when poll times out: a step that never stops
            // writing keeps poll from ever timing out.
            var now = Environment.TickCount64;
            if (now >= deadline)
            {
                timedOut();
                Kill();
                deadline = long.MaxValue;
                continue;
            }
            // A supervisor that does not end the step once asked (stopped: below Landlock ABI 6
            // a step can signal it) is given up on, rather than the build waiting for ever.
            if (Interlocked.Read(ref killedAt) is >= 0 and var killed && now - killed > KillGraceMs)
                return null;
            var ready = LibC.Poll(fds, 2, (int)Math.Clamp(deadline - now, 0, PollSliceMs));
            if (ready == 0)
                continue;
            if (ready < 0 && Marshal.GetLastPInvokeError() == 4) // EINTR
                continue;
            if (ready < 0)
                throw new NonoException(NonoErrorKind.SandboxInit, $"cannot read the step's output (poll: errno {Marshal.GetLastPInvokeError()})");
            for (var i = 0; i < 2; i++)
            {
                if (fds[i].Fd < 0 || fds[i].Revents == 0)
                    continue;
                int n;
                fixed (byte* b = buffer)
                    n = (int)LibC.Read(fds[i].Fd, b, (nuint)buffer.Length);
                if (n > 0)
                {
                    streams[i].Add(buffer.AsSpan(0, n), text => line(text, i == 1));
                    continue;
                }
                streams[i].End(text => line(text, i == 1));
                LibC.Close(fds[i].Fd);
                if (i == 0)
                    output = -1;
                else
                    error = -1;
            }
        }
        // Written before the supervisor exited, which closed the pipes: there by now, or never.
        int ended; // a wait status
        if (LibC.Read(status, (byte*)&ended, sizeof(int)) != sizeof(int))
            return null;
        return (ended & 0x7f) == 0 ? (ended >> 8) & 0xff : 128 + (ended & 0x7f);
    }

    /// <summary>Kills the process and everything it started; <see cref="Run"/> then returns. Any thread.</summary>
    public void Kill()
    {
        byte kill = 1;
        Interlocked.CompareExchange(ref killedAt, Environment.TickCount64, -1);
        lock (statusGate)
            if (status >= 0)
                LibC.Send(status, &kill, 1, LibC.MsgNoSignal);
    }

    /// <summary>When <see cref="Kill"/> was first asked (Environment.TickCount64), or -1.</summary>
    private long killedAt = -1;

    private const int KillGraceMs = 5000, PollSliceMs = 1000;

    public void Dispose()
    {
        lock (statusGate)
        {
            foreach (var fd in new[] { output, error, status })
                if (fd >= 0)
                    LibC.Close(fd);
            output = error = status = -1;
        }
    }

    private const short PollIn = 1;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>Bytes to lines as StreamReader.ReadLine splits them.</summary>
    private sealed class LineSplitter(Encoding encoding)
    {
        private readonly Decoder decoder = encoding.GetDecoder();
        private readonly StringBuilder pending = new();
        private char[] chars = new char[1024];
        private bool afterCr;

        public void Add(ReadOnlySpan<byte> bytes, Action<string> line)
        {
            var needed = decoder.GetCharCount(bytes, flush: false);
            if (needed > chars.Length)
                chars = new char[needed];
            var count = decoder.GetChars(bytes, chars, flush: false);
            var start = 0;
            for (var i = 0; i < count; i++)
            {
                var c = chars[i];
                if (c == '\n' && afterCr && i == start && pending.Length == 0)
                {
                    start = i + 1; // the \n of a \r\n split across reads
                    afterCr = false;
                    continue;
                }
                afterCr = false;
                if (c is not ('\n' or '\r'))
                    continue;
                line(pending.Append(chars, start, i - start).ToString());
                pending.Clear();
                if (c == '\r')
                {
                    if (i + 1 < count && chars[i + 1] == '\n')
                        i++;
                    else if (i + 1 == count)
                        afterCr = true;
                }
                start = i + 1;
            }
            pending.Append(chars, start, count - start);
        }

        public void End(Action<string> line)
        {
            var rest = decoder.GetCharCount([], flush: true);
            if (rest > 0)
            {
                var tail = new char[rest];
                decoder.GetChars([], tail, flush: true);
                pending.Append(tail);
            }
            if (pending.Length > 0)
                line(pending.ToString());
            pending.Clear();
        }
    }
}
