namespace Nono.Testing;

/// <summary>
/// Simulates an older or stricter kernel: a python3 program that installs a seccomp filter answering
/// a range of system calls with one errno, then execs its arguments, so everything it starts sees
/// those calls refused as such a kernel (or a container's seccomp profile) would refuse them.
/// </summary>
internal static class SyscallRefusal
{
    /// <summary>python3 -c THIS FIRST LAST ERRNO COMMAND [ARG...]</summary>
    public const string Script = """
        import ctypes, os, struct, sys
        first, last, errno = (int(a) for a in sys.argv[1:4])
        libc = ctypes.CDLL(None, use_errno=True)
        def op(code, jt, jf, k): return struct.pack("HBBI", code, jt, jf, k)
        program = b"".join([
            op(0x20, 0, 0, 0),                  # A = syscall number
            op(0x35, 0, 2, first),              # if A < first: allow
            op(0x25, 1, 0, last),               # if A > last: allow
            op(0x06, 0, 0, 0x00050000 | errno), # return errno
            op(0x06, 0, 0, 0x7fff0000),         # allow
        ])
        filters = ctypes.create_string_buffer(program)
        fprog = struct.pack("HxxxxxxQ", len(program) // 8, ctypes.addressof(filters))
        if libc.prctl(38, 1, 0, 0, 0) or libc.prctl(22, 2, ctypes.c_char_p(fprog)):
            sys.exit("cannot install the filter: " + os.strerror(ctypes.get_errno()))
        os.execvp(sys.argv[4], sys.argv[4:])
        """;

    /// <summary>The python3 arguments that run <paramref name="command"/> with system calls first..last refused.</summary>
    public static string[] Arguments(int first, int last, int errno, params string[] command) =>
        ["-c", Script, first.ToString(), last.ToString(), errno.ToString(), .. command];

    /// <summary>landlock_create_ruleset, landlock_add_rule, landlock_restrict_self: 444-446 on every architecture; ENOSYS as without Landlock.</summary>
    public static string[] WithoutLandlock(params string[] command) => Arguments(444, 446, 38, command);
}
