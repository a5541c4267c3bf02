/* libnono: the nono-exec policy applied to a whole running process.
 *
 * Landlock before ABI 8 restricts only the calling thread, and a .NET process has
 * many. Every other thread is made to restrict itself from a signal handler (as
 * libpsx and Go's AllThreadsSyscall do), round after round until a listing of
 * /proc/self/task shows no thread left unrestricted; the calling thread goes last
 * because it needs /proc to find the others. */
#include "nono.h"

#include "landlock.h"
#include "policy.h"
#include "probe.h"
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NONO_API __attribute__((visibility("default")))
#define APPLY_SIGNAL (SIGRTMAX - 2)
#define WAIT_LIMIT_MS 5000

enum { PENDING = 0, RESTRICTED = -1 };

struct thread_slot {
	pid_t tid;
	int result; /* PENDING, RESTRICTED, or the failed step */
};

static const struct nono_sandbox *active_sandbox;
static struct thread_slot *active_slots;
static size_t active_count;

static void restrict_this_thread(int sig)
{
	(void)sig;
	int saved_errno = errno;
	pid_t self = (pid_t)syscall(SYS_gettid);
	size_t count = __atomic_load_n(&active_count, __ATOMIC_ACQUIRE);
	for (size_t i = 0; i < count; i++) {
		if (active_slots[i].tid == self) {
			int step = nono_sandbox_restrict_thread(active_sandbox);
			/* The last touch of the slots: the caller may free them once all reported. */
			__atomic_store_n(&active_slots[i].result, step ? step : RESTRICTED,
					 __ATOMIC_RELEASE);
			break;
		}
	}
	errno = saved_errno;
}

struct tid_set {
	pid_t *tids;
	size_t count;
};

static int tid_set_has(const struct tid_set *set, pid_t tid)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->tids[i] == tid)
			return 1;
	return 0;
}

static int tid_set_add(struct tid_set *set, pid_t tid)
{
	pid_t *bigger = realloc(set->tids, (set->count + 1) * sizeof(pid_t));
	if (!bigger)
		return -1;
	set->tids = bigger;
	set->tids[set->count++] = tid;
	return 0;
}

/* The threads in /proc/self/task that are not in done and not the caller. */
static int list_new_threads(const struct tid_set *done, pid_t self, struct tid_set *fresh)
{
	DIR *dir = opendir("/proc/self/task");
	if (!dir)
		return -1;
	int rc = 0;
	for (struct dirent *e; rc == 0 && (e = readdir(dir));) {
		pid_t tid = (pid_t)atoi(e->d_name);
		if (tid > 0 && tid != self && !tid_set_has(done, tid))
			rc = tid_set_add(fresh, tid);
	}
	closedir(dir);
	return rc;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

/* Signals every thread in fresh and waits for each to report. Returns 0, or -1
 * with err set. */
static int restrict_threads(const struct nono_sandbox *sandbox, const struct tid_set *fresh,
			    struct nono_error *err)
{
	struct thread_slot *slots = calloc(fresh->count, sizeof(*slots));
	if (!slots)
		return nono_fail(err, "out of memory", "thread list");
	for (size_t i = 0; i < fresh->count; i++)
		slots[i].tid = fresh->tids[i];
	active_sandbox = sandbox;
	active_slots = slots;
	__atomic_store_n(&active_count, fresh->count, __ATOMIC_RELEASE);

	pid_t pid = getpid();
	for (size_t i = 0; i < fresh->count; i++)
		if (syscall(SYS_tgkill, pid, slots[i].tid, APPLY_SIGNAL) && errno == ESRCH)
			slots[i].result = RESTRICTED; /* exited: nothing left to restrict */

	int rc = 0;
	for (size_t i = 0; i < fresh->count && rc == 0; i++) {
		int waited = 0;
		int result;
		while ((result = __atomic_load_n(&slots[i].result, __ATOMIC_ACQUIRE)) == PENDING) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/self/task/%d", slots[i].tid);
			if (access(path, F_OK) != 0)
				break; /* the thread exited before it ran the handler */
			if (waited++ >= WAIT_LIMIT_MS) {
				snprintf(path, sizeof(path), "thread %d", slots[i].tid);
				rc = nono_fail(err, "a thread did not respond to the sandbox signal "
					"(is the signal blocked?)", path);
				break;
			}
			sleep_ms(1);
		}
		if (result > 0)
			rc = nono_fail(err, "a thread could not restrict itself",
				       nono_restrict_step_name(result));
	}
	__atomic_store_n(&active_count, 0, __ATOMIC_RELEASE);
	/* A slot may still be written by a late handler only if we timed out, and then
	 * the process is told to exit; keep the memory alive rather than free it. */
	if (rc == 0)
		free(slots);
	return rc;
}

static int apply_all_threads(const struct nono_sandbox *sandbox, struct nono_error *err,
			     int *partial)
{
	struct sigaction action = { .sa_handler = restrict_this_thread, .sa_flags = SA_RESTART };
	struct sigaction previous;
	sigemptyset(&action.sa_mask);
	if (sigaction(APPLY_SIGNAL, &action, &previous))
		return nono_fail(err, "cannot install the sandbox signal handler", "sigaction");

	pid_t self = (pid_t)syscall(SYS_gettid);
	struct tid_set done = { 0 };
	int rc = 0;
	for (;;) {
		struct tid_set fresh = { 0 };
		if (list_new_threads(&done, self, &fresh)) {
			free(fresh.tids);
			rc = nono_fail(err, "cannot list this process's threads", "/proc/self/task");
			break;
		}
		if (fresh.count == 0)
			break;
		*partial = 1;
		rc = restrict_threads(sandbox, &fresh, err);
		for (size_t i = 0; i < fresh.count && rc == 0; i++)
			rc = tid_set_add(&done, fresh.tids[i]) ? nono_fail(err, "out of memory", "thread list") : 0;
		free(fresh.tids);
		if (rc)
			break;
	}
	if (rc == 0) {
		int step = nono_sandbox_restrict_thread(sandbox);
		if (step) {
			rc = nono_fail(err, "the calling thread could not restrict itself",
				       nono_restrict_step_name(step));
		} else {
			*partial = 0;
		}
	}
	free(done.tids);
	/* After a timeout the signal may still be pending on a thread that blocks it: keep the
	 * handler rather than let the default action kill the process later. */
	if (rc == 0)
		sigaction(APPLY_SIGNAL, &previous, NULL);
	return rc;
}

static pthread_mutex_t apply_lock = PTHREAD_MUTEX_INITIALIZER;

NONO_API int nono_apply(int argc, const char *const argv[], char *err_text, size_t err_size,
			int *partial)
{
	struct nono_policy policy = { 0 };
	struct nono_error err = { { 0 } };
	struct nono_sandbox sandbox = { .ruleset_fd = -1, .audit_ruleset_fd = -1 };
	int command = 0;
	int dummy;
	if (!partial)
		partial = &dummy;
	*partial = 0;

	int rc = nono_policy_parse(&policy, argc, (char *const *)argv, &command, &err);
	if (rc == 0 && command != argc)
		rc = nono_fail(&err, "unexpected argument (libnono takes options only)", argv[command]);
	if (rc == 0 && (policy.probe || policy.help))
		rc = nono_fail(&err, "option not valid here", policy.probe ? "--probe" : "--help");
	if (rc == 0 && (policy.report || policy.audit || policy.kill_leftovers))
		rc = nono_fail(&err, "option not valid here",
			       policy.audit ? "--audit" : policy.report ? "--report" : "--kill-leftovers");
	if (rc == 0)
		rc = nono_sandbox_prepare(&policy, &sandbox, 0, &err);
	if (rc == 0) {
		/* The signal handler's state is global: one Apply at a time. */
		pthread_mutex_lock(&apply_lock);
		rc = apply_all_threads(&sandbox, &err, partial);
		pthread_mutex_unlock(&apply_lock);
	}
	nono_sandbox_release(&sandbox);
	nono_policy_free(&policy);
	if (rc && err_text && err_size)
		snprintf(err_text, err_size, "%s", err.text);
	return rc;
}

NONO_API int nono_ruleset(int argc, const char *const argv[], char *err_text, size_t err_size)
{
	struct nono_policy policy = { 0 };
	struct nono_error err = { { 0 } };
	int command = 0, fd = -1;
	int rc = nono_policy_parse(&policy, argc, (char *const *)argv, &command, &err);
	if (rc == 0 && command != argc)
		rc = nono_fail(&err, "unexpected argument (libnono takes options only)", argv[command]);
	if (rc == 0 && (policy.probe || policy.help || policy.ruleset_fd >= 0 || policy.report || policy.audit ||
			policy.kill_leftovers))
		rc = nono_fail(&err, "option not valid here",
			       policy.probe ? "--probe" : policy.help ? "--help" : policy.ruleset_fd >= 0 ? "--ruleset-fd"
			       : policy.audit ? "--audit" : policy.report ? "--report" : "--kill-leftovers");
	int abi = nono_landlock_abi();
	policy.best_effort = 0;
	if (rc == 0)
		rc = nono_sandbox_check_abi(&policy, abi, &err);
	/* For nono-exec, which restricts its one thread: not per_thread. */
	if (rc == 0)
		fd = nono_landlock_ruleset(&policy, abi, 0, 0, &err);
	nono_policy_free(&policy);
	if (fd < 0 && err_text && err_size)
		snprintf(err_text, err_size, "%s", err.text);
	return fd;
}

NONO_API int nono_probe(char *buf, size_t size)
{
	return nono_probe_json(buf, size);
}
