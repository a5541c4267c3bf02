/* A command's background processes (cmd &, setsid, double forks) would otherwise keep running
 * after the command, and after the build, with the command's rights: able to change outputs
 * that later targets already used or checked. nono-exec stays as the command's parent, a child
 * subreaper, and kills them when the command exits.
 *
 * The supervisor stays out of the command's reach: only the child it starts enters the Landlock
 * domain and the seccomp filter, so the supervisor is outside the domain, where Landlock's
 * ptrace rule (every ABI) keeps the command from tracing it or reading its memory, and the
 * signal scope (ABI 6) from signalling, stopping or killing it. It keeps no_new_privs and no
 * capability (dropped before the child starts, which inherits that), and no descriptor but its
 * list of children and the standard streams. */
#include "leftovers.h"

#include "mediate.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t command_pid;

static void forward(int sig)
{
	if (command_pid > 0)
		kill(command_pid, sig);
}

int nono_leftovers_become_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int nono_leftovers_open_children(void)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	return (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
}

/* Kills this process's children, round after round: killing one hands its own children to
 * this subreaper, and the next round gets them. Ends when no child is left. */
static void kill_leftovers(int children_fd)
{
	for (int idle = 0; idle < 1000;) {
		char list[4096];
		ssize_t n = pread(children_fd, list, sizeof(list) - 1, 0);
		int killed = 0;
		list[n > 0 ? n : 0] = '\0';
		for (char *at = list, *end; *at; at = end) {
			long pid = strtol(at, &end, 10);
			if (end == at)
				break;
			if (kill((pid_t)pid, SIGKILL) == 0)
				killed++;
		}
		for (; killed > 0; killed--)
			waitpid(-1, NULL, __WALL);
		int status;
		pid_t reaped = waitpid(-1, &status, WNOHANG | __WALL);
		if (reaped < 0 && errno == ECHILD)
			return;
		if (reaped == 0 && n <= 0) {
			/* A child the list does not show yet (being reparented): look again shortly. */
			idle++;
			usleep(1000);
		}
	}
}

/* Ends this process the way the command ended. */
static void exit_like(int status) __attribute__((noreturn));
static void exit_like(int status)
{
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	int sig = WTERMSIG(status);
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

pid_t nono_leftovers_start(int (*start)(void *), void *context)
{
	/* vfork: no copy of this process's memory, which costs more than the exec on a VM where
	 * page faults are expensive; the child only confines itself and execs, or exits. */
	pid_t child = vfork();
	if (child == 0)
		_exit(start(context));
	return child;
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* Until the command exits: answers its connect() and bind() calls (--unix-own's listener, else -1), and
 * kills it when the caller's end of the status socket (--serve, else -1) sends a byte or closes:
 * a cancelled or timed-out step, or a build that went away. */
static void watch_until_exit(const struct nono_policy *policy, int listener, int ruleset_fd, int report, int status_fd,
			     pid_t child)
{
	int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	struct pollfd fds[3] = { { pidfd, POLLIN, 0 }, { listener, POLLIN, 0 }, { status_fd, POLLIN, 0 } };
	for (;;) {
		int n = poll(fds, 3, pidfd >= 0 ? -1 : 100);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && (fds[1].revents & POLLIN))
			nono_mediate_one(policy, listener, ruleset_fd, report);
		if (n > 0 && (fds[1].revents & (POLLHUP | POLLERR | POLLNVAL)))
			fds[1].fd = -1; /* no process left that the filter applies to */
		if (n > 0 && fds[2].revents) {
			kill(child, SIGKILL);
			fds[2].fd = -1;
		}
		if (pidfd >= 0 ? fds[0].revents != 0 : waitpid(child, NULL, WNOHANG | WNOWAIT | __WALL) != 0)
			break;
	}
	if (pidfd >= 0)
		close(pidfd);
}

void nono_leftovers_supervise(int children_fd, pid_t child, const struct nono_policy *policy, int listener,
			      int ruleset_fd, int report, int status_fd)
{
	/* No parent-death signal for the command: a tree kill (.NET's Process.Kill(true), which
	 * MSBuild uses to cancel a step) stops and kills this process first, then walks into its
	 * children; the command must still be there to be walked, or its own children, reparented
	 * away, would escape the walk. */
	command_pid = child;
	/* A terminal's ^C and ^\ reach the command itself; termination requests are passed on. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	struct sigaction pass = { .sa_handler = forward, .sa_flags = SA_RESTART };
	sigemptyset(&pass.sa_mask);
	sigaction(SIGTERM, &pass, NULL);
	sigaction(SIGHUP, &pass, NULL);
	if (listener >= 0 || status_fd >= 0)
		watch_until_exit(policy, listener, ruleset_fd, report, status_fd, child);
	int status = 0;
	while (waitpid(child, &status, __WALL) < 0 && errno == EINTR)
		;
	kill_leftovers(children_fd);
	if (listener >= 0)
		close(listener);
	if (status_fd >= 0)
		(void)!write(status_fd, &status, sizeof(status));
	exit_like(status);
}
