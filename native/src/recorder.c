/* The denial recorder: a ptrace-based tracer that runs outside the sandbox.
 *
 * nono-exec (P) stays the command: it starts the tracer as a grandchild that leaves P's
 * process tree at once (double fork, new session), lets it attach (PR_SET_PTRACER for Yama),
 * and goes on to apply the sandbox and exec the command as usual: same pid, same exit status,
 * nothing in the command's tree waits for the tracer, and the tracer waits for nobody but its
 * tracees. It follows every fork, vfork and clone. The thread that becomes the command installs,
 * with the sandbox's filter, one that stops on the filesystem and TCP calls Landlock checks
 * (nono_sandbox_confine_thread); with --kill-leftovers or --unix-own, P stays as the supervisor,
 * traced but outside that filter, so its own calls are neither stopped nor recorded. For
 * connect() under --unix-own the sandbox's user notification outranks the trace stop: the
 * supervisor decides, and writes what it refuses to the same report (mediate.c).
 *
 * At each stop the tracer resolves what the call touches and evaluates it against the policy
 * (record_tracee.c, record_decode.c, policy_match.c; record_refusal.c names the seccomp
 * refusals). Calls the policy allows run on after this one stop. Calls it denies: with the sandbox enforced, the tracer lets the call run to its exit and records
 * it if it failed with EACCES, EPERM or EXDEV (so a failure for another reason, or a wrong
 * prediction, records nothing); with --audit it records it and lets it run. An EACCES that the
 * policy does not explain (file modes, for instance) is not the sandbox's and is not recorded.
 *
 * The seccomp refusals (socket families, listen, TCP Fast Open, io_uring, terminal injection)
 * stay kernel-enforced: the filter's "fail with errno" becomes "trap", which the kernel
 * carries out whatever the tracer does (the call is never executed; SECCOMP_RET_TRAP also
 * outranks any filter the command adds), and the tracer turns the SIGSYS back into the errno
 * the command would have seen, recording it. Should the tracer die, every tracee is killed
 * (PTRACE_O_EXITKILL). */
#include "recorder.h"

#include "record.h"
#include "record_syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ptrace and seccomp UAPI numbers (linux/ptrace.h, linux/seccomp.h), defined here because libc
 * headers disagree on them and musl ships no kernel headers. */
#define P_CONT 7
#define P_GETREGS 12
#define P_SETREGS 13
#define P_SYSCALL 24
#define P_GETREGSET 0x4204
#define P_SETREGSET 0x4205
#define P_SEIZE 0x4206
#define P_LISTEN 0x4208
#define P_GETSIGINFO 0x4202
#define P_GET_SYSCALL_INFO 0x420e
#define P_O_TRACESYSGOOD 0x01
#define P_O_TRACEFORK 0x02
#define P_O_TRACEVFORK 0x04
#define P_O_TRACECLONE 0x08
#define P_O_TRACESECCOMP 0x80
#define P_O_EXITKILL 0x100000
#define P_EVENT_SECCOMP 7
#define P_EVENT_STOP 128
#define INFO_EXIT 2
#define INFO_SECCOMP 3
#define SYS_SECCOMP_CODE 1

/* SECCOMP_RET_DATA of the recorder's filter, and of a refusal (with its errno beneath). */
#define TAG_RECORD 0x4000U
#define TAG_REFUSED 0x8000U

/* Distinct denials recorded at most; then one "truncated" line. */
#define MAX_DENIALS 10000

struct syscall_info {
	uint8_t op;
	uint8_t pad[3];
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t stack_pointer;
	union {
		struct {
			uint64_t nr;
			uint64_t args[6];
			uint32_t ret_data;
		} seccomp;
		struct {
			int64_t rval;
			uint8_t is_error;
		} exit;
	};
};

static long ptrace_(long request, pid_t pid, uintptr_t addr, void *data)
{
	return syscall(SYS_ptrace, request, pid, addr, data);
}

/* ---------------------------------------------------------------------------------------- */
/* The launcher side.                                                                        */

enum record_label { NEXT = NONO_BPF_NEXT, ALLOW, TRACE, OPENAT };

/* Stops (SECCOMP_RET_TRACE) on the native calls the recorder evaluates, except openat with
 * O_PATH, which Landlock does not check. */
static void build_record_filter(struct nono_filter *f)
{
	struct nono_bpf b = nono_bpf_start(f->insns, NONO_FILTER_MAX);
	bpf_load_arch(&b);
	bpf_jump(&b, BPF_JEQ_K, NATIVE_ARCH, NEXT, ALLOW);
	bpf_load_nr(&b);
	for (size_t i = 0; i < NONO_REC_COUNT; i++) {
		uint16_t nr = nono_rec_syscalls[i].nr;
		bpf_jump(&b, BPF_JEQ_K, nr, nr == NR_OPENAT ? OPENAT : TRACE, NEXT);
	}
	bpf_label(&b, ALLOW);
	bpf_ret(&b, SECCOMP_RET_ALLOW);
	bpf_label(&b, OPENAT);
	bpf_load_arg(&b, 2); /* openat's flags */
	bpf_jump(&b, BPF_JSET_K, O_PATH, NEXT, TRACE);
	bpf_ret(&b, SECCOMP_RET_ALLOW);
	bpf_label(&b, TRACE);
	bpf_ret(&b, SECCOMP_RET_TRACE | TAG_RECORD);
	int len = bpf_finish(&b);
	f->len = len < 0 ? 0 : (unsigned short)len; /* a fixed list: it always fits */
}

/* The sandbox filter's refusals, handed to the tracer: enforced, a trap (the call is not
 * executed; the tracer supplies the errno); with --audit, a trace stop (the call runs) for the
 * policy's EACCES refusals, while the hardening (terminal injection, x32, io_uring) stays. */
static void convert_refusals(struct nono_filter *f, int audit)
{
	for (unsigned short i = 0; i < f->len; i++) {
		struct nono_bpf_insn *insn = &f->insns[i];
		if (insn->code != BPF_RET_K || (insn->k & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO)
			continue;
		uint32_t error = insn->k & 0xfff;
		if (!audit)
			insn->k = SECCOMP_RET_TRAP | TAG_REFUSED | error;
		else if (error == EACCES)
			insn->k = SECCOMP_RET_TRACE | TAG_REFUSED | error;
	}
}

/* The tracer's word to nono-exec: attached (0), invite me (ATTACH_INVITE), or -errno. */
struct attach {
	int32_t status;
	int32_t tracer;
};

#define ATTACH_INVITE 1

static void tracer_main(const struct nono_policy *policy, int abi, int audit, int report,
			int sync, pid_t target) __attribute__((noreturn));

static int read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int nono_record_start(const struct nono_policy *p, struct nono_sandbox *s, struct nono_error *err)
{
	if (!p->report)
		return nono_fail(err, "--audit needs --report FILE (/dev/stderr prints the denials)", "--audit");
	int report = open(p->report, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
	if (report < 0)
		return nono_fail_errno(err, "cannot create the report file", errno, p->report);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		close(report);
		return nono_fail(err, "cannot start the recorder (socketpair)", strerror(errno));
	}
	int abi = s->abi;
	pid_t self = getpid();
	/* The intermediate process only forks the tracer and exits: vfork spares copying this
	 * process's page tables twice (a fork costs about a millisecond on VMs where page faults
	 * are expensive). Its descriptor table is its own copy; the memory is nono-exec's. */
	pid_t middle = vfork();
	if (middle == 0) {
		close(sv[0]);
		if (fork() == 0)
			tracer_main(p, abi, p->audit, report, sv[1], self);
		_exit(0); /* a failed fork leaves no tracer to send a message: nono-exec reads EOF */
	}
	close(sv[1]);
	/* --unix-own: the supervisor writes the connections it refuses to the same report. */
	if (p->unix_own)
		s->report_fd = report;
	else
		close(report);
	if (middle < 0) {
		close(sv[0]);
		if (s->report_fd >= 0)
			close(s->report_fd);
		s->report_fd = -1;
		return nono_fail(err, "cannot start the recorder (fork)", strerror(errno));
	}

	/* The tracer attaches at once where it may. It is no descendant of this process: under
	 * Yama's ptrace_scope 1, unless it holds CAP_SYS_PTRACE, it asks to be invited. */
	struct attach message = { -EPIPE, 0 };
	int ok = read_all(sv[0], &message, sizeof(message)) == 0;
	if (ok && message.status == ATTACH_INVITE) {
		prctl(PR_SET_PTRACER, (unsigned long)message.tracer, 0, 0, 0);
		char go = 1;
		ok = write(sv[0], &go, 1) == 1 && read_all(sv[0], &message, sizeof(message)) == 0;
		prctl(PR_SET_PTRACER, 0, 0, 0, 0);
	}
	close(sv[0]);
	while (waitpid(middle, NULL, 0) < 0 && errno == EINTR)
		;
	if (!ok || message.status != 0) {
		if (message.tracer > 0)
			kill(message.tracer, SIGKILL);
		if (s->report_fd >= 0)
			close(s->report_fd);
		s->report_fd = -1;
		return nono_fail(err, "cannot record denials: the recorder cannot trace the command",
				 strerror(ok && message.status < 0 ? -message.status : EPIPE));
	}

	/* From here the tracer follows this process and every process it starts. The filter that
	 * stops on the recorded calls is installed with the sandbox's (nono_sandbox_confine_thread)
	 * by the thread that becomes the command: a supervisor (--kill-leftovers, --unix-own) stays
	 * outside it, so its own calls (reading /proc, connecting on the command's behalf) are
	 * neither stopped nor taken for the command's. */
	build_record_filter(&s->record);
	convert_refusals(&s->filter, p->audit);
	if (p->audit && s->ruleset_fd >= 0) {
		if (s->filter.notify)
			s->audit_ruleset_fd = s->ruleset_fd;
		else
			close(s->ruleset_fd);
		s->ruleset_fd = -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* The tracer.                                                                               */

struct pending {
	pid_t tid;
	struct nono_denial denial;
};

struct tracer {
	const struct nono_match *match;
	int audit;
	int report;
	struct pending **pending; /* enforced calls predicted to be denied, awaiting their result */
	size_t pending_count;
	char *line; /* LINE_SIZE bytes */
	char **seen; /* open-addressing set of recorded denials */
	size_t seen_count;
	int truncated;
};

#define SEEN_SLOTS 16384 /* a power of two above MAX_DENIALS */
#define LINE_SIZE NONO_REC_LINE

static uint64_t hash(const char *key, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211ULL;
	return h;
}

/* Whether the denial was recorded before; remembers it if not. */
static int seen_before(struct tracer *t, const struct nono_denial *d)
{
	char key[sizeof(d->target) + sizeof(d->dest) + 32];
	int len = snprintf(key, sizeof(key), "%s%c%s%c%s", d->op, 0, d->target, 0, d->dest);
	if (len < 0)
		return 1;
	size_t size = (size_t)len + 1 < sizeof(key) ? (size_t)len + 1 : sizeof(key);
	size_t slot = hash(key, size) & (SEEN_SLOTS - 1);
	for (; t->seen[slot]; slot = (slot + 1) & (SEEN_SLOTS - 1)) {
		size_t stored = (size_t)(unsigned char)t->seen[slot][0] << 16 |
				(size_t)(unsigned char)t->seen[slot][1] << 8 | (unsigned char)t->seen[slot][2];
		if (stored == size && !memcmp(t->seen[slot] + 3, key, size))
			return 1;
	}
	if (t->seen_count >= MAX_DENIALS)
		return -1;
	char *copy = malloc(size + 3);
	if (!copy)
		return -1;
	copy[0] = (char)(size >> 16);
	copy[1] = (char)(size >> 8);
	copy[2] = (char)size;
	memcpy(copy + 3, key, size);
	t->seen[slot] = copy;
	t->seen_count++;
	return 0;
}

/* Appends text to the line, escaping \ TAB LF CR and other control bytes; "-" if empty. */
static size_t put_field(char *line, size_t at, size_t size, const char *text)
{
	if (!*text && at + 1 < size)
		line[at++] = '-';
	for (const unsigned char *c = (const unsigned char *)text; *c && at + 4 < size; c++) {
		if (*c == '\\' || *c == '\t' || *c == '\n' || *c == '\r') {
			line[at++] = '\\';
			line[at++] = *c == '\\' ? '\\' : *c == '\t' ? 't' : *c == '\n' ? 'n' : 'r';
		} else if (*c < 0x20 || *c == 0x7f) {
			at += (size_t)snprintf(line + at, size - at, "\\x%02x", *c);
		} else {
			line[at++] = (char)*c;
		}
	}
	return at;
}

static const char *errno_name(int error)
{
	switch (error) {
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EXDEV: return "EXDEV";
	case ENOSYS: return "ENOSYS";
	default: return "EIO";
	}
}

static void write_line(struct tracer *t, const char *line, size_t len)
{
	while (len > 0) {
		ssize_t n = write(t->report, line, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		line += n;
		len -= (size_t)n;
	}
}

/* One line: op TAB target TAB pid TAB executable TAB errno TAB destination TAB command TAB
 * time TAB thread LF. */
static void record(struct tracer *t, pid_t tid, const struct nono_denial *d)
{
	int seen = seen_before(t, d);
	if (seen > 0)
		return;
	if (seen < 0) {
		if (!t->truncated) {
			static const char more[] = "truncated\t-\t0\t-\t-\n";
			write_line(t, more, sizeof(more) - 1);
		}
		t->truncated = 1;
		return;
	}
	write_line(t, t->line, nono_record_line(t->line, LINE_SIZE, tid, d));
}

size_t nono_record_line(char *line, size_t size, pid_t tid, const struct nono_denial *d)
{
	pid_t pid = nono_tgid(tid);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char exe[NONO_REC_PATH], link[32];
	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	ssize_t n = readlink(link, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';

	size_t at = put_field(line, 0, size, d->op);
	line[at++] = '\t';
	at = put_field(line, at, size, d->target);
	at += (size_t)snprintf(line + at, size - at, "\t%d\t", pid);
	at = put_field(line, at, size, exe);
	at += (size_t)snprintf(line + at, size - at, "\t%s\t", errno_name(d->error));
	at = put_field(line, at, size, d->dest);
	/* The process's command line (arguments separated by spaces, cut at NONO_REC_COMMAND):
	 * what tells the programs a host runs apart (dotnet: MSBuild, the compiler server, a test host). */
	char command[NONO_REC_COMMAND];
	snprintf(link, sizeof(link), "/proc/%d/cmdline", pid);
	int fd = open(link, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, command, sizeof(command) - 1) : -1;
	if (fd >= 0)
		close(fd);
	command[n > 0 ? n : 0] = '\0';
	for (ssize_t i = 0; i < n - 1; i++)
		if (command[i] == '\0')
			command[i] = ' ';
	line[at++] = '\t';
	at = put_field(line, at, size, command);
	/* When and on which thread: what ties an access of a process that runs many parts of the
	 * build (MSBuild's tasks) to the part that made it. */
	at += (size_t)snprintf(line + at, size - at, "\t%lld\t%d\n",
			       (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000, tid);
	return at;
}

static struct pending *take_pending(struct tracer *t, pid_t tid)
{
	for (size_t i = 0; i < t->pending_count; i++) {
		if (t->pending[i]->tid == tid) {
			struct pending *p = t->pending[i];
			t->pending[i] = t->pending[--t->pending_count];
			return p;
		}
	}
	return NULL;
}

static int add_pending(struct tracer *t, pid_t tid, const struct nono_denial *d)
{
	free(take_pending(t, tid));
	struct pending *p = malloc(sizeof(*p));
	struct pending **bigger = realloc(t->pending, (t->pending_count + 1) * sizeof(*bigger));
	if (!p || !bigger) {
		free(p);
		if (bigger)
			t->pending = bigger;
		return -1;
	}
	t->pending = bigger;
	p->tid = tid;
	p->denial = *d;
	t->pending[t->pending_count++] = p;
	return 0;
}

/* A stop on one of the recorder's calls (or a refusal, with --audit). Returns the ptrace
 * request to resume with: PTRACE_CONT, or PTRACE_SYSCALL to see the result. */
static long on_seccomp(struct tracer *t, pid_t tid)
{
	struct syscall_info info;
	memset(&info, 0, sizeof(info));
	if (ptrace_(P_GET_SYSCALL_INFO, tid, sizeof(info), &info) <= 0 || info.op != INFO_SECCOMP)
		return P_CONT;
	struct nono_syscall sc = { .arch = info.arch, .nr = info.seccomp.nr };
	memcpy(sc.args, info.seccomp.args, sizeof(sc.args));
	struct nono_denial d;
	if (t->audit && (info.seccomp.ret_data & 0xf000) == TAG_REFUSED) {
		/* --audit: a call the sandbox's filter would refuse; it runs. */
		nono_describe_refusal(tid, &sc, (int)(info.seccomp.ret_data & 0xfff), &d);
		record(t, tid, &d);
		return P_CONT;
	}
	/* A quick evaluation by path, confirmed by inode (as Landlock does) before it counts. */
	if (!nono_decode(t->match, tid, &sc, 0, &d) || !nono_decode(t->match, tid, &sc, 1, &d))
		return P_CONT;
	if (t->audit) {
		record(t, tid, &d);
		return P_CONT;
	}
	return add_pending(t, tid, &d) == 0 ? P_SYSCALL : P_CONT;
}

static void on_syscall_exit(struct tracer *t, pid_t tid)
{
	struct pending *p = take_pending(t, tid);
	if (!p)
		return;
	struct syscall_info info;
	memset(&info, 0, sizeof(info));
	if (ptrace_(P_GET_SYSCALL_INFO, tid, sizeof(info), &info) > 0 && info.op == INFO_EXIT &&
	    (info.exit.rval == -EACCES || info.exit.rval == -EPERM || info.exit.rval == -EXDEV)) {
		p->denial.error = (int)-info.exit.rval;
		record(t, tid, &p->denial);
	}
	free(p);
}

#if defined(__x86_64__)
#include <sys/user.h>
/* Reads the trapped call (the kernel rolled the registers back to its entry) and makes it
 * return -error. */
static int answer_trap(pid_t tid, uint32_t arch, struct nono_syscall *sc, int error)
{
	struct user_regs_struct regs;
	if (ptrace_(P_GETREGS, tid, 0, &regs))
		return -1;
	sc->arch = arch;
	sc->nr = regs.orig_rax;
	if (arch == NATIVE_ARCH) {
		uint64_t args[6] = { regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9 };
		memcpy(sc->args, args, sizeof(args));
	} else {
		uint64_t args[6] = { regs.rbx, regs.rcx, regs.rdx, regs.rsi, regs.rdi, regs.rbp };
		for (int i = 0; i < 6; i++)
			sc->args[i] = args[i] & 0xffffffffU;
	}
	regs.rax = (uint64_t)(int64_t)-error;
	return (int)ptrace_(P_SETREGS, tid, 0, &regs);
}
#elif defined(__aarch64__)
#define NT_PRSTATUS_ 1
static int answer_trap(pid_t tid, uint32_t arch, struct nono_syscall *sc, int error)
{
	struct {
		uint64_t regs[31], sp, pc, pstate;
	} regs;
	struct iovec io = { &regs, sizeof(regs) };
	if (ptrace_(P_GETREGSET, tid, NT_PRSTATUS_, &io))
		return -1;
	sc->arch = arch;
	sc->nr = regs.regs[8];
	memcpy(sc->args, regs.regs, sizeof(sc->args));
	regs.regs[0] = (uint64_t)(int64_t)-error;
	return (int)ptrace_(P_SETREGSET, tid, NT_PRSTATUS_, &io);
}
#endif

struct seccomp_siginfo {
	int si_signo, si_errno, si_code;
#if defined(__x86_64__) || defined(__aarch64__)
	int pad;
#endif
	void *call_addr;
	int syscall;
	unsigned int arch;
	char rest[128];
};

/* A signal-delivery stop. SIGSYS from the sandbox's own trap: record, answer with the errno,
 * and drop the signal. Returns the signal to deliver. */
static int on_signal(struct tracer *t, pid_t tid, int sig)
{
	if (sig != SIGSYS)
		return sig;
	struct seccomp_siginfo si;
	if (ptrace_(P_GETSIGINFO, tid, 0, &si) || si.si_code != SYS_SECCOMP_CODE ||
	    ((unsigned)si.si_errno & 0xf000) != TAG_REFUSED)
		return sig;
	int error = si.si_errno & 0xfff;
	struct nono_syscall sc;
	memset(&sc, 0, sizeof(sc));
	if (answer_trap(tid, si.arch, &sc, error)) {
		/* Not answered: let the signal take its default course (the call was not executed). */
		return sig;
	}
	sc.nr = (uint64_t)(unsigned)si.syscall;
	struct nono_denial d;
	nono_describe_refusal(tid, &sc, error, &d);
	record(t, tid, &d);
	return 0;
}

static void trace_loop(struct tracer *t)
{
	for (;;) {
		int status;
		pid_t tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			return; /* ECHILD: every tracee is gone */
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			free(take_pending(t, tid));
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		int sig = WSTOPSIG(status), event = status >> 16;
		long request = P_CONT;
		uintptr_t deliver = 0;
		if (sig == (SIGTRAP | 0x80)) {
			on_syscall_exit(t, tid);
		} else if (event == P_EVENT_SECCOMP) {
			request = on_seccomp(t, tid);
		} else if (event == P_EVENT_STOP) {
			/* A group stop (SIGSTOP, SIGTSTP...) stays a stop until SIGCONT; other event stops
			 * (a new tracee's first stop) just continue. */
			if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
				request = P_LISTEN;
		} else if (event == 0) {
			deliver = (uintptr_t)on_signal(t, tid, sig);
		}
		/* ESRCH: the tracee was killed meanwhile; its exit is reported next. */
		ptrace_(request, tid, 0, (void *)deliver);
	}
}

static void tracer_main(const struct nono_policy *policy, int abi, int audit, int report,
			int sync, pid_t target)
{
	/* Out of the command's session: terminal signals for the command do not reach the
	 * tracer (were it killed, its tracees would be too), and nothing waits for it. */
	setsid();
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* A report into a pipe whose reader is gone fails the write, not the tracer. */
	struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } ignore = { SIG_IGN, 0, NULL, 0 };
	syscall(SYS_rt_sigaction, SIGPIPE, &ignore, NULL, sizeof(ignore.mask));

	long options = P_O_TRACESYSGOOD | P_O_TRACEFORK | P_O_TRACEVFORK | P_O_TRACECLONE |
		       P_O_TRACESECCOMP | P_O_EXITKILL;
	struct attach message = { 0, getpid() };
	if (ptrace_(P_SEIZE, target, 0, (void *)options)) {
		char go;
		message.status = ATTACH_INVITE;
		if (errno != EPERM || write(sync, &message, sizeof(message)) != sizeof(message) ||
		    read_all(sync, &go, 1))
			message.status = -errno;
		else
			message.status = ptrace_(P_SEIZE, target, 0, (void *)options) ? -errno : 0;
	}
	if (write(sync, &message, sizeof(message)) != sizeof(message) || message.status)
		_exit(1);

	/* Keep only the report: the command's output pipes must not wait for the tracer. */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	if (dup2(report, 3) != 3)
		_exit(1);
#ifdef SYS_close_range
	syscall(SYS_close_range, 4U, ~0U, 0U);
#endif

	/* The abi the sandbox would have: with --audit on a kernel without Landlock, the newest. */
	struct nono_match match;
	if (nono_match_init(&match, policy, abi > 0 ? abi : audit ? 7 : 0))
		_exit(1);
	/* Relative grants are resolved: the step's directory need not stay busy. */
	if (chdir("/"))
		_exit(1);
	struct tracer t = { .match = &match, .audit = audit, .report = 3 };
	t.seen = calloc(SEEN_SLOTS, sizeof(*t.seen));
	t.line = malloc(LINE_SIZE);
	if (!t.seen || !t.line)
		_exit(1);
	trace_loop(&t);
	_exit(0);
}
