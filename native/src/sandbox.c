#include "sandbox.h"

#include "landlock.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CAPABILITY_VERSION_3 0x20080522

/* Root keeps uid 0 but no capability: CAP_SYS_ADMIN alone lets a Landlock-restricted
 * process read other processes' /proc/<pid>/environ, and others load kernel modules,
 * reconfigure the network or reboot. Async-signal-safe. */
static int drop_capabilities(void)
{
	/* EINVAL: past the kernel's last capability. EPERM: no CAP_SETPCAP, so nothing to drop. */
	for (int cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL || errno == EPERM)
			break;
		return -1;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -1;
	struct { uint32_t version; int pid; } header = { CAPABILITY_VERSION_3, 0 };
	struct { uint32_t effective, permitted, inheritable; } data[2] = { { 0 } };
	return (int)syscall(SYS_capset, &header, data);
}

int nono_sandbox_check_abi(const struct nono_policy *p, int abi, struct nono_error *err)
{
	if (abi == 0 && !p->best_effort)
		return nono_fail(err, "Landlock is not available on this kernel "
			"(pass --best-effort to run without filesystem restrictions)", "landlock");
	if (!p->net_all && abi < 4 && (p->connect_count || p->bind_count)) {
		char what[96];
		snprintf(what, sizeof(what),
			 "TCP port rules need Landlock ABI 4 or newer (this kernel has %d)", abi);
		return nono_fail(err, what, p->connect_count ? "--connect-tcp" : "--bind-tcp");
	}
	return 0;
}

int nono_sandbox_prepare(const struct nono_policy *p, struct nono_sandbox *s, int owns_fds,
			 struct nono_error *err)
{
	s->abi = nono_landlock_abi();
	s->ruleset_fd = -1;
	s->audit_ruleset_fd = -1;
	s->record.len = 0;
	s->record.notify = 0;
	s->report_fd = -1;
	/* Mediated connections need a supervisor outside the sandbox: nono-exec's, not libnono's. */
	if (p->unix_own && !owns_fds)
		return nono_fail(err, "mediated connections need nono-exec's supervisor", "--unix-own");
	if (nono_sandbox_check_abi(p, s->abi, err))
		return -1;
	if (p->ruleset_fd >= 0) {
		/* Built once by the caller (libnono's nono_ruleset) from these same options. */
		if (s->abi == 0)
			return nono_fail(err, "a prepared ruleset needs Landlock, which this kernel does not have",
					 "--ruleset-fd");
		if (!nono_landlock_is_ruleset(p->ruleset_fd))
			return nono_fail(err, "not an inherited Landlock ruleset descriptor", "--ruleset-fd");
		s->ruleset_fd = p->ruleset_fd;
	} else if (s->abi) {
		s->ruleset_fd = nono_landlock_ruleset(p, s->abi, owns_fds, !owns_fds, err);
		if (s->ruleset_fd < 0)
			return -1;
	}
	if (nono_seccomp_build(p, s->abi >= 4, &s->filter)) {
		nono_sandbox_release(s);
		return nono_fail(err, "cannot build the seccomp filter (it does not fit; a bug)", "seccomp");
	}
	return 0;
}

int nono_sandbox_drop_privileges(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return NONO_STEP_NO_NEW_PRIVS;
	if (drop_capabilities())
		return NONO_STEP_CAPABILITIES;
	return 0;
}

int nono_sandbox_confine_thread(const struct nono_sandbox *s, int *listener)
{
	if (s->ruleset_fd >= 0 && nono_landlock_restrict_self(s->ruleset_fd))
		return NONO_STEP_LANDLOCK;
	/* The recorder's trace stops first: for a call both filters act on, the kernel takes the
	 * action that ranks higher (a refusal or a user notification over a trace stop) and, of
	 * equal ones, the newer filter's, so the sandbox's own tags win (recorder.c). */
	if (s->record.len && nono_seccomp_install(&s->record) < 0)
		return NONO_STEP_SECCOMP;
	int fd = nono_seccomp_install(&s->filter);
	if (fd < 0)
		return NONO_STEP_SECCOMP;
	if (listener)
		*listener = s->filter.notify ? fd : -1;
	return 0;
}

int nono_sandbox_restrict_thread(const struct nono_sandbox *s)
{
	int step = nono_sandbox_drop_privileges();
	return step ? step : nono_sandbox_confine_thread(s, NULL);
}

const char *nono_restrict_step_name(int step)
{
	switch (step) {
	case NONO_STEP_NO_NEW_PRIVS: return "prctl(PR_SET_NO_NEW_PRIVS)";
	case NONO_STEP_CAPABILITIES: return "dropping capabilities";
	case NONO_STEP_LANDLOCK: return "landlock_restrict_self";
	case NONO_STEP_SECCOMP: return "seccomp(SECCOMP_SET_MODE_FILTER)";
	default: return "unknown step";
	}
}

void nono_sandbox_release(struct nono_sandbox *s)
{
	if (s->ruleset_fd >= 0)
		close(s->ruleset_fd);
	if (s->audit_ruleset_fd >= 0)
		close(s->audit_ruleset_fd);
	s->ruleset_fd = s->audit_ruleset_fd = -1;
}
