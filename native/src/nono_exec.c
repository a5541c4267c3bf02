/* nono-exec: apply a least-privilege policy to this process, then exec the command. */
#include "leftovers.h"
#include "policy.h"
#include "probe.h"
#include "recorder.h"
#include "sandbox.h"
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define EXIT_LAUNCHER 125
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127

static void print_help(void)
{
	fputs("Usage: nono-exec [OPTIONS] [--] COMMAND [ARG...]\n"
	      "Run COMMAND under a Landlock + seccomp sandbox that allows only what the options grant.\n"
	      "\n", stdout);
	nono_policy_help(stdout);
	fputs("  @FILE               read more options from FILE, one per line: --ro /a path\n"
	      "\n"
	      "nono-exec --serve FD: start commands requested on the socket FD (see native/src/serve.h).\n"
	      "\n"
	      "Exit status: COMMAND's own; 125 for nono-exec's own errors; 126 if COMMAND cannot\n"
	      "be executed (also when the sandbox denies it); 127 if COMMAND is not found.\n", stdout);
}

/* Where nono-exec's own errors go: stderr, or the file --errors names, a channel of the caller's
 * that the command cannot write to (it shares stderr, so it could forge lines there). */
static int error_fd = STDERR_FILENO;

static int fail(const char *text)
{
	dprintf(error_fd, "nono-exec: error: %s\n", text);
	return EXIT_LAUNCHER;
}

/* Opens the --errors file (created by the caller; never created here, nor followed if a link).
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

#define KEPT_FDS 5

/* Closes every descriptor above 2 except those in keep (-1: none). close_range first; where it
 * is refused (kernels before 5.9, some container seccomp profiles), the open ones are listed from
 * /proc/self/fd rather than closing up to RLIMIT_NOFILE, which the .NET runtime raises so high
 * that the loop would cost tens of milliseconds. Must run before Landlock may hide /proc. */
static void close_inherited_fds(int keep[KEPT_FDS])
{
	/* The kept descriptors in ascending order; the gaps around them are closed. */
	for (int i = 0; i < KEPT_FDS; i++)
		for (int j = i + 1; j < KEPT_FDS; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];
				keep[i] = keep[j];
				keep[j] = t;
			}
#ifdef SYS_close_range
	unsigned first = 3;
	int closed = 1;
	for (int i = 0; i < KEPT_FDS && closed; i++) {
		if (keep[i] < (int)first)
			continue;
		if ((unsigned)keep[i] > first)
			closed = syscall(SYS_close_range, first, (unsigned)keep[i] - 1, 0U) == 0;
		first = (unsigned)keep[i] + 1;
	}
	if (closed && syscall(SYS_close_range, first, ~0U, 0U) == 0)
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
				int kept = fd == dir;
				for (int i = 0; i < KEPT_FDS; i++)
					kept |= fd == keep[i];
				if (fd > 2 && !kept)
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
	for (int fd = 3; fd < max; fd++) {
		int kept = 0;
		for (int i = 0; i < KEPT_FDS; i++)
			kept |= fd == keep[i];
		if (!kept)
			close(fd);
	}
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

/* "<what> (<strerror>): <subject>" */
static int fail_errno(const char *what, const char *subject)
{
	char text[256];
	snprintf(text, sizeof(text), "%s (%s): %s", what, strerror(errno), subject);
	return fail(text);
}

static int fail_step(int step)
{
	return fail_errno("cannot apply the sandbox", nono_restrict_step_name(step));
}

struct launch {
	const struct nono_sandbox *sandbox;
	char *const *command;
	int channel; /* --unix-own: the child's end of a socketpair that carries the listener; else -1 */
};

/* Sends descriptor fd over a Unix socket (SCM_RIGHTS). write(2)-level calls only. */
static int send_fd(int channel, int fd)
{
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
	memset(&control, 0, sizeof(control));
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(channel, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* The descriptor send_fd sent, or -1 if none came (the child failed before). */
static int receive_fd(int channel)
{
	char byte;
	struct iovec iov = { &byte, 1 };
	union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf) };
	if (recvmsg(channel, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) != 1)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* The command's side of --kill-leftovers, in the vfork child: it alone enters the sandbox.
 * write(2) only, as in exec_command. */
static int confine_and_exec(void *context)
{
	const struct launch *launch = context;
	int listener = -1;
	int step = nono_sandbox_confine_thread(launch->sandbox, &listener);
	if (!step && listener >= 0 && send_fd(launch->channel, listener)) {
		/* Without its supervisor, every connect() would wait for ever. */
		const char *text = "nono-exec: error: cannot hand the connect listener to the supervisor: --unix-own\n";
		write(STDERR_FILENO, text, strlen(text));
		return EXIT_LAUNCHER;
	}
	if (listener >= 0) {
		close(listener);
		close(launch->channel);
	}
	if (step) {
		const char *why = strerror(errno), *what = nono_restrict_step_name(step);
		struct iovec line[] = {
			{ (void *)"nono-exec: error: cannot apply the sandbox (", 45 },
			{ (void *)why, strlen(why) },
			{ (void *)"): ", 3 },
			{ (void *)what, strlen(what) },
			{ (void *)"\n", 1 },
		};
		writev(STDERR_FILENO, line, 5);
		return EXIT_LAUNCHER;
	}
	if (launch->sandbox->ruleset_fd >= 0)
		close(launch->sandbox->ruleset_fd); /* --ruleset-fd's is inheritable */
	if (launch->sandbox->audit_ruleset_fd >= 0)
		close(launch->sandbox->audit_ruleset_fd);
	return exec_command(launch->command);
}

/* --kill-leftovers (leftovers.c): this process supervises from outside the sandbox. It gives up
 * no_new_privs and its capabilities here, for itself and the command; the command's child alone
 * applies Landlock and seccomp, so a step cannot signal, stop, trace or kill its supervisor. */
static int supervise(const struct nono_policy *policy, struct nono_sandbox *sandbox, int children,
		     int status_fd, char *const command[])
{
	/* A subreaper only now: the recorder's tracer, orphaned at its start, must not become a
	 * child of this process, to be killed with the leftovers. */
	if (nono_leftovers_become_subreaper())
		return fail_errno("cannot watch the command's processes", "--kill-leftovers");
	int step = nono_sandbox_drop_privileges();
	if (step)
		return fail_step(step);
	int channel[2] = { -1, -1 };
	if (sandbox->filter.notify && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel))
		return fail_errno("cannot start the connect supervisor", "--unix-own");
	struct launch launch = { sandbox, command, channel[1] };
	pid_t child = nono_leftovers_start(confine_and_exec, &launch);
	if (child < 0)
		return fail_errno("cannot start the command", "vfork");
	int report = sandbox->report_fd;
	/* The ruleset stays for the binds the supervisor makes in the command's domain (under
	 * --audit, only to report the ones it would refuse). */
	int ruleset = !sandbox->filter.notify ? -1 : sandbox->ruleset_fd >= 0 ? sandbox->ruleset_fd : sandbox->audit_ruleset_fd;
	if (ruleset < 0)
		nono_sandbox_release(sandbox);
	int listener = -1;
	if (channel[0] >= 0) {
		close(channel[1]);
		listener = receive_fd(channel[0]);
		close(channel[0]);
	}
	nono_leftovers_supervise(children, child, policy, listener, ruleset, report, status_fd);
}

/* nono-exec with main's arguments; status_fd (--serve's supervisors, else -1) gets the command's
 * wait status, and its caller's end can ask for the command's end (leftovers.h). */
static int run(int argc, char *argv[], int status_fd)
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
		print_help();
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
	/* Mediated connections need the supervisor that --kill-leftovers keeps; a served command's
	 * status comes from it. */
	if (policy.unix_own || status_fd >= 0)
		policy.kill_leftovers = 1;
	if (policy.null_stdin && null_stdin())
		return fail_errno("cannot make /dev/null the command's standard input", "--null-stdin");

	struct nono_sandbox sandbox;
	if (nono_sandbox_prepare(&policy, &sandbox, 1, &err))
		return fail(err.text);
	if (sandbox.abi == 0)
		fputs("nono-exec: warning: Landlock is not available on this kernel; "
		      "running without filesystem and TCP restrictions (--best-effort)\n", stderr);
	/* --kill-leftovers: the list of this process's children is opened before the recorder
	 * starts, which would otherwise stop on (and, with --audit, report) the supervisor's own open. */
	int children = -1;
	if (policy.kill_leftovers && (children = nono_leftovers_open_children()) < 0)
		return fail_errno("cannot watch the command's processes", "--kill-leftovers");
	/* Denial recording (--report, --audit): recorder.c. */
	if (nono_recording(&policy) && nono_record_start(&policy, &sandbox, &err))
		return fail(err.text);
	int keep[KEPT_FDS] = { sandbox.ruleset_fd >= 0 ? sandbox.ruleset_fd : sandbox.audit_ruleset_fd, children, error_fd,
			       sandbox.report_fd, status_fd };
	close_inherited_fds(keep);
	if (children >= 0)
		return supervise(&policy, &sandbox, children, status_fd, argv + command);
	int step = nono_sandbox_restrict_thread(&sandbox);
	if (step)
		return fail_step(step);
	nono_sandbox_release(&sandbox);
	return exec_command(argv + command);
}

int main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "--serve") == 0) {
		char *end;
		long sock = strtol(argv[2], &end, 10);
		if (*end || end == argv[2] || sock <= STDERR_FILENO || sock > 65535)
			return fail("--serve needs the descriptor of a connected stream socket");
		int keep[KEPT_FDS] = { (int)sock, -1, -1, -1, -1 };
		close_inherited_fds(keep);
		return nono_serve((int)sock, run);
	}
	return run(argc, argv, -1);
}
