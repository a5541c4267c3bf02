/* libnono's side of nono-exec --serve (serve.h): starting the server and sending it requests,
 * which .NET cannot do itself (no SCM_RIGHTS in System.Net.Sockets). */
#include "nono.h"

#include "serve.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NONO_API __attribute__((visibility("default")))

extern char **environ;

NONO_API int nono_serve_start(const char *launcher, int sock)
{
	/* posix_spawn: the socket reaches the server as descriptor 3 and no other process this one
	 * starts meanwhile inherits it; signals as new. */
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attr;
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	if (posix_spawn_file_actions_init(&actions))
		return -1;
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawn_file_actions_adddup2(&actions, sock, 3);
	char *argv[] = { (char *)launcher, "--serve", "3", NULL };
	pid_t pid;
	int rc = posix_spawn(&pid, launcher, &actions, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	posix_spawnattr_destroy(&attr);
	if (rc) {
		errno = rc;
		return -1;
	}
	return pid;
}

NONO_API int nono_serve_send(int sock, const void *request, size_t length, const int *fds, int nfds)
{
	union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int) * NONO_LAUNCH_FDS)]; } control;
	if (nfds < 1 || nfds > NONO_LAUNCH_FDS || length == 0) {
		errno = EINVAL;
		return -1;
	}
	memset(&control, 0, sizeof(control));
	struct iovec iov = { (void *)request, length };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			      .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	size_t sent = 0;
	while (sent < length) {
		ssize_t n = sent == 0 ? sendmsg(sock, &msg, MSG_NOSIGNAL)
				      : send(sock, (const char *)request + sent, length - sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		sent += (size_t)n;
	}
	return 0;
}
