/* nono-exec --serve: see serve.h. The server itself enters no sandbox and holds nothing but its
 * socket; each request's supervisor forks from it, a small static process, where MSBuild would
 * otherwise exec nono-exec from a large one for every step. */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define EXIT_LAUNCHER 125

extern char **environ;

static int read_full(int fd, void *buf, size_t length)
{
	for (size_t done = 0; done < length;) {
		ssize_t n = read(fd, (char *)buf + done, length - done);
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* Reads one request's header and descriptors. Returns 1, 0 at end of file, or -1 (a request
 * that breaks the format: the caller is not speaking it, and the server stops). */
static int receive_header(int sock, struct nono_launch *h, int fds[NONO_LAUNCH_FDS], int *nfds)
{
	struct iovec iov = { h, sizeof(*h) };
	union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int) * NONO_LAUNCH_FDS)]; } control;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf) };
	ssize_t n;
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return n == 0 ? 0 : -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (int i = 0; i < count && *nfds < NONO_LAUNCH_FDS; i++)
				memcpy(&fds[(*nfds)++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		}
	if ((msg.msg_flags & MSG_CTRUNC)
	    || ((size_t)n < sizeof(*h) && read_full(sock, (char *)h + n, sizeof(*h) - (size_t)n)))
		return -1;
	int expected = h->ruleset_fd >= 0 ? NONO_LAUNCH_FDS : NONO_LAUNCH_FDS - 1;
	if (h->magic != NONO_LAUNCH_MAGIC || h->length > NONO_LAUNCH_MAX_LENGTH || *nfds != expected
	    || h->argc < 1 || (h->ruleset_fd >= 0 && h->ruleset_fd <= STDERR_FILENO))
		return -1;
	return 1;
}

/* Points each of count entries at the next NUL-terminated string of [*at, end). */
static int split(char **at, const char *end, char **out, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		char *nul = memchr(*at, '\0', (size_t)(end - *at));
		if (!nul)
			return -1;
		out[i] = *at;
		*at = nul + 1;
	}
	out[count] = NULL;
	return 0;
}

static void report_status(int status_fd, int status)
{
	(void)!write(status_fd, &status, sizeof(status));
}

/* A request the supervisor cannot carry out: said on the step's standard error (the --errors
 * file is named among the arguments not yet read), and as exit status 125. */
static int refuse(int error_fd, int status_fd, const char *what, const char *subject)
{
	dprintf(error_fd, "nono-exec: error: %s (%s): %s\n", what, strerror(errno), subject);
	report_status(status_fd, EXIT_LAUNCHER << 8);
	return EXIT_LAUNCHER;
}

/* The supervisor's side of a request, in the forked child: the descriptors put where nono-exec
 * finds them (standard streams, the ruleset at the number its arguments name), and the status
 * socket at the lowest number left, no gap below it: nono-exec closes the descriptors of its path
 * rules as one range. They are moved out of the way first, as the server may have been started
 * with a standard stream closed, so that one may have arrived as 0, 1 or 2. */
static int start(const struct nono_launch *h, char *body, int fds[NONO_LAUNCH_FDS], nono_run_fn *run)
{
	static const int defaulted[] = { SIGCHLD, SIGPIPE, SIGINT, SIGQUIT };
	for (size_t i = 0; i < sizeof(defaulted) / sizeof(defaulted[0]); i++)
		signal(defaulted[i], SIG_DFL);
	int count = h->ruleset_fd >= 0 ? NONO_LAUNCH_FDS : NONO_LAUNCH_FDS - 1;
	int floor = h->ruleset_fd >= 10 ? h->ruleset_fd + 1 : 10;
	for (int i = 0; i < count; i++) {
		int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, floor);
		if (moved < 0)
			return refuse(fds[2], fds[3], "cannot start the step", "F_DUPFD");
		close(fds[i]);
		fds[i] = moved;
	}
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			return refuse(fds[2], fds[3], "cannot start the step", "dup2");
	if (h->ruleset_fd >= 0 && dup2(fds[4], h->ruleset_fd) < 0)
		return refuse(STDERR_FILENO, fds[3], "cannot start the step", "--ruleset-fd");
	int status_fd = fcntl(fds[3], F_DUPFD_CLOEXEC, 3);
	if (status_fd < 0)
		return refuse(STDERR_FILENO, fds[3], "cannot start the step", "F_DUPFD");
	for (int i = 0; i < count; i++)
		close(fds[i]);

	/* Each string takes a byte at least: counts beyond the length are malformed. */
	size_t cwd_length = strnlen(body, h->length);
	char *at = body + cwd_length + 1, *end = body + h->length;
	char **argv = h->argc < h->length ? malloc(sizeof(char *) * ((size_t)h->argc + 1)) : NULL;
	char **envp = h->envc < h->length ? malloc(sizeof(char *) * ((size_t)h->envc + 1)) : NULL;
	if (!argv || !envp || cwd_length == h->length || split(&at, end, argv, h->argc)
	    || split(&at, end, envp, h->envc)) {
		errno = EINVAL;
		return refuse(STDERR_FILENO, status_fd, "malformed launch request", "--serve");
	}
	if (chdir(body))
		return refuse(STDERR_FILENO, status_fd, "cannot enter the working directory", body);
	environ = envp;
	int code = run((int)h->argc, argv, status_fd);
	report_status(status_fd, (code & 0xff) << 8);
	return code;
}

int nono_serve(int sock, nono_run_fn *run)
{
	/* Every signal as new (the caller's spawn may have left some ignored, which steps would
	 * inherit); then: supervisors are reaped by the kernel; a caller gone mid-reply costs no
	 * SIGPIPE; a terminal's ^C and ^\ are for the build and its steps, which get them directly.
	 * Nor does the server keep the caller's working directory busy. */
	struct sigaction initial = { .sa_handler = SIG_DFL };
	for (int sig = 1; sig < 65; sig++)
		sigaction(sig, &initial, NULL);
	if (chdir("/"))
		return EXIT_LAUNCHER;
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	for (;;) {
		struct nono_launch h;
		int fds[NONO_LAUNCH_FDS], nfds = 0;
		int received = receive_header(sock, &h, fds, &nfds);
		if (received <= 0) {
			for (int i = 0; i < nfds; i++)
				close(fds[i]);
			if (received < 0)
				fputs("nono-exec: error: --serve: malformed launch request; stopping\n", stderr);
			return received < 0 ? EXIT_LAUNCHER : 0;
		}
		char *body = malloc((size_t)h.length + 1);
		if (!body || read_full(sock, body, h.length)) {
			fputs("nono-exec: error: --serve: incomplete launch request; stopping\n", stderr);
			return EXIT_LAUNCHER;
		}
		body[h.length] = '\0';
		pid_t child = fork();
		if (child == 0) {
			close(sock);
			_exit(start(&h, body, fds, run));
		}
		if (child < 0) {
			dprintf(fds[2], "nono-exec: error: cannot start the step (fork: %s)\n", strerror(errno));
			report_status(fds[3], EXIT_LAUNCHER << 8);
		}
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		free(body);
	}
}
