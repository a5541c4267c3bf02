/* stopcost: what one intercepted system call costs, by interception mechanism.
 *
 *   stopcost MODE [CALLS]
 *
 * A child opens and closes /etc/hostname CALLS times (20000); openat is intercepted by a
 * seccomp filter installed in the child, and the parent plays the supervisor:
 *   loop        no filter: the plain cost of the calls (also what nono-exec runs in record.sh)
 *   trace-cont  SECCOMP_RET_TRACE, tracer resumes at once (PTRACE_CONT): one ptrace stop
 *   trace-exit  SECCOMP_RET_TRACE, tracer waits for the result (PTRACE_SYSCALL): two stops
 *   notify      SECCOMP_RET_USER_NOTIF, supervisor answers "continue": one round trip
 *   notify-read the same, and the supervisor reads the path and the caller's cwd, as a
 *               policy check must (the ptrace modes would do the same work at their stop)
 * Prints the wall time per call in microseconds. The parent and the child may share a CPU or
 * not; pin with taskset to compare like with like.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long calls = 20000;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void work(void)
{
	for (long i = 0; i < calls; i++) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
	}
}

static int install(unsigned action, unsigned flags)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(filter) / sizeof(filter[0]), filter };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

static void traced(int exit_stop)
{
	pid_t child = fork();
	if (child == 0) {
		raise(SIGSTOP);
		if (install(SECCOMP_RET_TRACE, 0))
			_exit(2);
		work();
		_exit(0);
	}
	if (ptrace(PTRACE_SEIZE, child, 0, PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD)) {
		perror("stopcost: ptrace");
		exit(2);
	}
	for (;;) {
		int status;
		pid_t pid = waitpid(child, &status, __WALL);
		if (pid < 0 || WIFEXITED(status) || WIFSIGNALED(status))
			break;
		int sig = WSTOPSIG(status);
		if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8)) && exit_stop) {
			ptrace(PTRACE_SYSCALL, pid, 0, 0);
			continue;
		}
		if (sig == (SIGTRAP | 0x80) || sig == SIGTRAP || sig == SIGSTOP)
			sig = 0;
		ptrace(PTRACE_CONT, pid, 0, sig);
	}
}

static void notified(int read_args)
{
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair))
		exit(2);
	char byte = 0;
	struct iovec io = { &byte, 1 };
	char control[CMSG_SPACE(sizeof(int))];
	struct msghdr msg = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	pid_t child = fork();
	if (child == 0) {
		int listener = install(SECCOMP_RET_USER_NOTIF, SECCOMP_FILTER_FLAG_NEW_LISTENER);
		if (listener < 0)
			_exit(2);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &listener, sizeof(int));
		if (sendmsg(pair[0], &msg, 0) != 1)
			_exit(2);
		close(listener);
		work();
		_exit(0);
	}
	close(pair[0]);
	int listener;
	if (recvmsg(pair[1], &msg, 0) != 1 || !CMSG_FIRSTHDR(&msg))
		exit(2);
	memcpy(&listener, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	for (;;) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;
		memset(&req, 0, sizeof(req));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req)) {
			if (errno == EINTR)
				continue;
			break; /* ENOENT after the child exited */
		}
		if (read_args) {
			char path[256], cwd[4096], link[64];
			struct iovec local = { path, sizeof(path) }, remote = { (void *)req.data.args[1], sizeof(path) };
			process_vm_readv((pid_t)req.pid, &local, 1, &remote, 1, 0);
			snprintf(link, sizeof(link), "/proc/%u/cwd", req.pid);
			if (readlink(link, cwd, sizeof(cwd)) < 0)
				cwd[0] = '\0';
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		if (waitpid(child, NULL, WNOHANG) == child)
			return;
	}
	waitpid(child, NULL, 0);
}

int main(int argc, char *argv[])
{
	if (argc < 2) {
		fputs("usage: stopcost loop|trace-cont|trace-exit|notify|notify-read [CALLS]\n", stderr);
		return 2;
	}
	if (argc > 2)
		calls = strtol(argv[2], NULL, 10);
	const char *mode = argv[1];
	double start = now();
	if (!strcmp(mode, "loop"))
		work();
	else if (!strcmp(mode, "trace-cont"))
		traced(0);
	else if (!strcmp(mode, "trace-exit"))
		traced(1);
	else if (!strcmp(mode, "notify"))
		notified(0);
	else if (!strcmp(mode, "notify-read"))
		notified(1);
	else
		return 2;
	printf("%s\t%.2f\n", mode, (now() - start) * 1e6 / (double)calls);
	return 0;
}
