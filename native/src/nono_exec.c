/* nono-exec: apply a least-privilege policy to this process, then exec the command. */
#include "leftovers.h"
#include "policy.h"
#include "probe.h"
#include "recorder.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define EXIT_LAUNCHER 125
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127

static const char usage[] =
	"Usage: nono-exec [OPTIONS] [--] COMMAND [ARG...]\n"
	"Run COMMAND under a Landlock + seccomp sandbox that allows only what the options grant.\n"
	"\n"
	"  --ro PATH           read PATH (a directory: everything beneath it)\n"
	"  --rox PATH          read and execute\n"
	"  --rw PATH           read and write: create, delete, rename, truncate\n"
	"  --rwx PATH          read, write and execute\n"
	"  --wo, --xo, --wx PATH  write only, execute only, write and execute\n"
	"  --symlinks PATH     create symlinks, FIFOs and sockets beneath PATH (no write grant does)\n"
	"  --connect-tcp PORT  allow TCP connections to PORT (repeatable)\n"
	"  --bind-tcp PORT     allow binding TCP PORT (repeatable)\n"
	"  --net all|none      lift network restrictions, or keep them (default: none)\n"
	"  --allow-unix        allow Unix sockets (default: refused; stream socketpairs always work)\n"
	"  --best-effort       run even if the kernel has no Landlock (with a warning)\n"
	"  --kill-leftovers    stay as the command's parent; when it exits, kill what it left running\n"
	"  --report FILE       append each access the sandbox denies to FILE (see the docs)\n"
	"  --audit             enforce nothing of the policy; report what it would deny\n"
	"  --errors FILE       write nono-exec's own errors to FILE (which must exist), not to stderr\n"
	"  --null-stdin        give COMMAND /dev/null as its standard input\n"
	"  @FILE               read more options from FILE, one per line: --ro /a path\n"
	"  --probe             print what this kernel enforces as JSON and exit\n"
	"  --help              print this help and exit\n"
	"\n"
	"Exit status: COMMAND's own; 125 for nono-exec's own errors; 126 if COMMAND cannot\n"
	"be executed (also when the sandbox denies it); 127 if COMMAND is not found.\n";

/* Where nono-exec's own errors go: stderr, or the file --errors names, a channel of the caller's
 * that the command cannot write to (it shares stderr, so it could forge lines there). */
static int error_fd = STDERR_FILENO;

static int fail(const char *text)
{
	dprintf(error_fd, "nono-exec: error: %s\n", text);
	return EXIT_LAUNCHER;
}

/* Opens the --errors file (created by the caller; never created, nor followed if a link here).
 * Close-on-exec: the command never holds it. */
static int open_error_channel(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	error_fd = fd;
	return 0;
}

/* Makes /dev/null the command's standard input (--null-stdin): a step cannot read the user's
 * terminal, e.g. behind a fake password prompt. */
static int null_stdin(void)
{
	int fd = open("/dev/null", O_RDONLY | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fd != STDIN_FILENO && (dup2(fd, STDIN_FILENO) < 0 || close(fd)))
		return -1;
	return 0;
}

/* Closes every descriptor above 2 except keep and keep2 (-1: none). close_range first; where it is
 * refused (kernels before 5.9, some container seccomp profiles), the open ones are listed from
 * /proc/self/fd rather than closing up to RLIMIT_NOFILE, which the .NET runtime raises so high
 * that the loop would cost tens of milliseconds. Must run before Landlock may hide /proc. */
static void close_inherited_fds(int keep, int keep2)
{
#ifdef SYS_close_range
	int low = keep < keep2 ? keep : keep2, high = keep < keep2 ? keep2 : keep;
	unsigned first = 3;
	int ranges_closed = 1;
	for (int k = 0; k < 2 && ranges_closed; k++) {
		int kept = k == 0 ? low : high;
		if (kept < 3 || (unsigned)kept < first)
			continue;
		if (first < (unsigned)kept && syscall(SYS_close_range, first, (unsigned)kept - 1, 0U))
			ranges_closed = 0;
		first = (unsigned)kept + 1;
	}
	if (ranges_closed && syscall(SYS_close_range, first, ~0U, 0U) == 0)
		return;
#endif
	int dir = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		char buf[4096];
		long n;
		while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
			for (long at = 0; at < n;) {
				struct dirent64_view { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; };
				const struct dirent64_view *d = (const void *)(buf + at);
				int fd = atoi(d->name);
				if (fd > 2 && fd != dir && fd != keep && fd != keep2)
					close(fd);
				at += d->reclen;
			}
		}
		close(dir);
		if (n == 0)
			return;
	}
	struct rlimit limit;
	int max = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536
		? (int)limit.rlim_cur : 65536;
	for (int fd = 3; fd < max; fd++)
		if (fd != keep && fd != keep2)
			close(fd);
}

/* Execs the command; on failure says why in one line (write(2) only: this may run in a vfork
 * child) and returns the exit status. */
static int exec_command(char *const command[])
{
	execvp(command[0], command);
	int code = errno == ENOENT || errno == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
	const char *why = code == EXIT_NOT_FOUND ? "nono-exec: command not found: " : "nono-exec: cannot execute: ";
	const char *reason = code == EXIT_NOT_FOUND ? "" : strerror(errno);
	struct iovec line[] = {
		{ (void *)why, strlen(why) },
		{ (void *)command[0], strlen(command[0]) },
		{ (void *)": ", *reason ? 2 : 0 },
		{ (void *)reason, strlen(reason) },
		{ (void *)"\n", 1 },
	};
	writev(STDERR_FILENO, line, 5);
	return code;
}

int main(int argc, char *argv[])
{
	struct nono_policy policy = { 0 };
	struct nono_error err;
	int command;
	int parsed = nono_policy_parse(&policy, argc - 1, argv + 1, &command, &err);
	if (policy.errors && open_error_channel(policy.errors)) {
		fprintf(stderr, "nono-exec: error: cannot open the errors file (%s): %s\n", strerror(errno), policy.errors);
		return EXIT_LAUNCHER;
	}
	if (parsed)
		return fail(err.text);
	command += 1;

	if (policy.help) {
		fputs(usage, stdout);
		return 0;
	}
	if (policy.probe) {
		char json[512];
		nono_probe_json(json, sizeof(json));
		fputs(json, stdout);
		return 0;
	}
	if (command >= argc)
		return fail("no command given (usage: nono-exec [OPTIONS] [--] COMMAND [ARG...])");
	if (policy.null_stdin && null_stdin()) {
		snprintf(err.text, sizeof(err.text), "cannot make /dev/null the command's standard input (%s): %s",
			 strerror(errno), "--null-stdin");
		return fail(err.text);
	}

	struct nono_sandbox sandbox;
	if (nono_sandbox_prepare(&policy, &sandbox, 1, &err))
		return fail(err.text);
	if (sandbox.abi == 0)
		fputs("nono-exec: warning: Landlock is not available on this kernel; "
		      "running without filesystem and TCP restrictions (--best-effort)\n", stderr);
	/* Denial recording (--report, --audit): recorder.c. */
	if (nono_recording(&policy) && nono_record_start(&policy, &sandbox, &err))
		return fail(err.text);
	close_inherited_fds(sandbox.ruleset_fd, error_fd);
	int children = -1;
	if (policy.kill_leftovers && (children = nono_leftovers_prepare()) < 0) {
		snprintf(err.text, sizeof(err.text), "cannot watch the command's processes (%s): %s",
			 strerror(errno), "--kill-leftovers");
		return fail(err.text);
	}
	int step = nono_sandbox_restrict_thread(&sandbox);
	if (step) {
		snprintf(err.text, sizeof(err.text), "cannot apply the sandbox (%s): %s",
			 strerror(errno), nono_restrict_step_name(step));
		return fail(err.text);
	}
	nono_sandbox_release(&sandbox);
	if (children >= 0) {
		nono_leftovers_run(children, argv + command, exec_command);
		snprintf(err.text, sizeof(err.text), "cannot start the command (%s): %s", strerror(errno), "vfork");
		return fail(err.text);
	}
	return exec_command(argv + command);
}
