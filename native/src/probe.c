#include "probe.h"

#include "landlock.h"
#include "seccomp.h"

#include <stdio.h>

static const char *flag(int on)
{
	return on ? "true" : "false";
}

int nono_probe_json(char *buf, size_t size)
{
	int abi = nono_landlock_abi();
	int errata = nono_landlock_errata();
	char errata_text[16] = "null";
	if (errata >= 0)
		snprintf(errata_text, sizeof(errata_text), "%d", errata);
	return snprintf(buf, size,
			"{\"landlock_abi\":%d,\"errata\":%s,\"filesystem\":%s,\"refer\":%s,"
			"\"truncate\":%s,\"tcp\":%s,\"ioctl_dev\":%s,\"scopes\":%s,\"seccomp\":%s}\n",
			abi, errata_text, flag(abi >= 1), flag(abi >= 2), flag(abi >= 3),
			flag(abi >= 4), flag(abi >= 5), flag(abi >= 6),
			flag(nono_seccomp_available()));
}
