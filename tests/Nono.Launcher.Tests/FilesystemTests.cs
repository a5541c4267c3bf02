namespace Nono.Launcher.Tests;

/// <summary>Landlock path rules: what --ro, --rox, --rw and file grants let a command do.</summary>
public sealed class FilesystemTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void AllowedRead_Works_DeniedRead_FailsWithEacces()
    {
        Landlock.Require();
        var allowed = temp.File("allowed/a.txt", "allowed content");
        var denied = temp.File("denied/b.txt", "denied content");

        var ok = Launcher.Sh(["--ro", temp["allowed"]], "cat \"$1\"", allowed);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal("allowed content", ok.StdOut);

        var no = Launcher.Sh(["--ro", temp["allowed"]], "cat \"$1\"", denied);
        Assert.NotEqual(0, no.ExitCode);
        Assert.Contains("Permission denied", no.StdErr);
        Assert.Equal("", no.StdOut);
    }

    [Fact]
    public void WriteOutsideRw_IsDenied()
    {
        Landlock.Require();
        var ro = temp.Dir("ro");
        var existing = temp.File("ro/existing.txt", "original");
        var rw = temp.Dir("rw");

        var r = Launcher.Sh(["--ro", ro, "--rw", rw],
            """
            echo new > "$1/new.txt" || echo create-denied
            echo changed > "$1/existing.txt" || echo overwrite-denied
            echo fine > "$2/inside.txt" && echo rw-ok
            """, ro, rw);

        Assert.Contains("create-denied", r.StdOut);
        Assert.Contains("overwrite-denied", r.StdOut);
        Assert.Contains("Permission denied", r.StdErr);
        Assert.Contains("rw-ok", r.StdOut);
        Assert.False(File.Exists(Path.Combine(ro, "new.txt")));
        Assert.Equal("original", File.ReadAllText(existing));
        Assert.Equal("fine\n", File.ReadAllText(Path.Combine(rw, "inside.txt")));
    }

    [Fact]
    public void Exec_FromRo_IsDenied126_FromRox_IsAllowed()
    {
        Landlock.Require();
        var bin = temp.Dir("bin");
        var program = Path.Combine(bin, "true");
        File.Copy("/usr/bin/true", program);
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);

        var denied = Launcher.Run([.. Launcher.System, "--ro", bin, "--", program], null);
        Assert.True(denied.ExitCode == 126, denied.ToString());
        Assert.Contains("Permission denied", denied.StdErr);

        var allowed = Launcher.Run([.. Launcher.System, "--rox", bin, "--", program], null);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
    }

    [Fact]
    public void RenameAndTruncate_InsideRw_Work()
    {
        Landlock.Require();
        var rw = temp.Dir("rw");
        temp.File("rw/a.txt", "aaaa");
        temp.File("rw/trunc.txt", "to be emptied");
        temp.File("rw/cut.txt", "0123456789");
        temp.Dir("rw/sub");

        // rename(2) itself, not mv, which would fall back to copying on EXDEV.
        var renamed = Launcher.Python(["--rw", rw],
            """
            import os, sys
            os.chdir(sys.argv[1])
            os.rename("a.txt", "b.txt")
            os.rename("b.txt", "sub/c.txt")
            os.rename("sub", "sub2")
            print("renamed")
            """, rw);
        Assert.True(renamed.ExitCode == 0, renamed.ToString());

        var truncated = Launcher.Sh(["--rw", rw],
            """
            set -e
            cd "$1"
            : > trunc.txt
            truncate -s 3 cut.txt
            """, rw);
        Assert.True(truncated.ExitCode == 0, truncated.ToString());

        Assert.False(File.Exists(Path.Combine(rw, "a.txt")));
        Assert.False(File.Exists(Path.Combine(rw, "b.txt")));
        Assert.Equal("aaaa", File.ReadAllText(Path.Combine(rw, "sub2", "c.txt")));
        Assert.Equal(0, new FileInfo(Path.Combine(rw, "trunc.txt")).Length);
        Assert.Equal("012", File.ReadAllText(Path.Combine(rw, "cut.txt")));
    }

    [Fact]
    public void WriteTempThenRename_InsideRw_ReplacesTheFile()
    {
        Landlock.Require();
        var rw = temp.Dir("rw");
        temp.Dir("rw/tmp");
        var target = temp.File("rw/out/settings.json", "old");
        var sameDir = temp.File("rw/out/same.txt", "old");

        // The usual atomic update: write a temporary file elsewhere in the tree, rename over.
        var r = Launcher.Python(["--rw", rw],
            """
            import os, sys
            tmp = os.path.join(sys.argv[1], "tmp", "settings.json.tmp")
            with open(tmp, "w") as f:
                f.write("new")
            os.replace(tmp, sys.argv[2])
            """, rw, target);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Empty(Directory.GetFiles(temp["rw/tmp"]));

        var sh = Launcher.Sh(["--rw", rw], "printf new > \"$1.tmp\" && mv -f \"$1.tmp\" \"$1\"", sameDir);
        Assert.True(sh.ExitCode == 0, sh.ToString());
        Assert.Equal("new", File.ReadAllText(sameDir));
        Assert.False(File.Exists(sameDir + ".tmp"));
    }

    [Fact]
    public void SymlinkInsideAllowedTree_PointingOutside_GivesNoAccess()
    {
        Landlock.Require();
        var allowed = temp.Dir("allowed");
        var secret = temp.File("outside/secret.txt", "secret");
        File.CreateSymbolicLink(Path.Combine(allowed, "file-link"), secret);
        Directory.CreateSymbolicLink(Path.Combine(allowed, "dir-link"), temp["outside"]);

        var r = Launcher.Sh(["--rw", allowed],
            """
            cd "$1"
            cat file-link && echo read-through-file-link
            cat dir-link/secret.txt && echo read-through-dir-link
            ls dir-link/ && echo listed-through-dir-link
            echo overwritten > file-link && echo wrote-through-file-link
            true
            """, allowed);

        Assert.DoesNotContain("secret", r.StdOut);
        Assert.DoesNotContain("through", r.StdOut);
        Assert.Contains("Permission denied", r.StdErr);
        Assert.Equal("secret", File.ReadAllText(secret));
    }

    /// <summary>
    /// Creating a symlink is not part of a write grant: a link planted in a folder a more
    /// privileged program reads (MSBuild's obj/) would point that program anywhere.
    /// </summary>
    [Fact]
    public void CreatingSymlinks_NeedsItsOwnGrant()
    {
        Landlock.Require();
        var outputs = temp.Dir("outputs");
        var scratch = temp.Dir("scratch");
        const string script = """
            ln -s /etc/passwd "$1/link" && echo linked-in-outputs
            ln -s /etc/passwd "$2/link" && echo linked-in-scratch
            mv "$2/link" "$1/moved" && echo moved-into-outputs
            echo plain > "$1/file" && echo wrote-in-outputs
            true
            """;

        var r = Launcher.Sh(["--rw", outputs, "--rw", scratch, "--symlinks", scratch], script, outputs, scratch);

        Assert.Equal("linked-in-scratch\nwrote-in-outputs\n", r.StdOut);
        Assert.False(File.Exists(Path.Combine(outputs, "link")) || Path.Exists(Path.Combine(outputs, "moved")));
        Assert.Equal(0, Launcher.Sh(["--rw", outputs, "--symlinks", outputs], "ln -s /etc/passwd \"$1/link2\"", outputs).ExitCode);
    }

    /// <summary>
    /// Nor are FIFOs and sockets: a FIFO where MSBuild's Copy expects obj/…/x.pdb makes the build wait
    /// for ever. They come with the symlink grant; moving or linking one in needs it too.
    /// </summary>
    [Fact]
    public void CreatingFifosAndSockets_NeedsTheSymlinkGrant_AlsoToMoveOneIn()
    {
        Landlock.Require();
        var outputs = temp.Dir("outputs");
        var scratch = temp.Dir("scratch");
        const string script = """
            mkfifo "$1/fifo" && echo fifo-in-outputs
            python3 -c 'import os, stat, sys; os.mknod(sys.argv[1] + "/sock", stat.S_IFSOCK | 0o600)' "$1" 2>/dev/null && echo socket-in-outputs
            mkfifo "$2/fifo" && echo fifo-in-scratch
            python3 -c 'import os, sys; os.rename(sys.argv[2] + "/fifo", sys.argv[1] + "/moved")' "$1" "$2" 2>/dev/null && echo moved-into-outputs
            ln "$2/fifo" "$1/linked" 2>/dev/null && echo linked-into-outputs
            true
            """;

        var r = Launcher.Sh(["--rw", outputs, "--rw", scratch, "--symlinks", scratch], script, outputs, scratch);

        Assert.Equal("fifo-in-scratch\n", r.StdOut);
        Assert.Empty(Directory.GetFileSystemEntries(outputs));
    }

    [Fact]
    public void FileGrant_GivesThatFileOnly_NotItsSiblings()
    {
        Landlock.Require();
        var granted = temp.File("dir/granted.txt", "granted");
        var sibling = temp.File("dir/sibling.txt", "sibling");

        var r = Launcher.Sh(["--ro", granted],
            """
            cat "$1" && echo
            cat "$2" && echo read-sibling
            ls "$(dirname "$1")" && echo listed-parent
            echo x >> "$1" && echo wrote-granted
            true
            """, granted, sibling);

        Assert.StartsWith("granted\n", r.StdOut);
        Assert.DoesNotContain("sibling", r.StdOut);
        Assert.DoesNotContain("listed-parent", r.StdOut);
        Assert.DoesNotContain("wrote-granted", r.StdOut);
        Assert.Contains("Permission denied", r.StdErr);
        Assert.Equal("granted", File.ReadAllText(granted));
    }
}
