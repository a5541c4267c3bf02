/* The escape suite's setuid stand-in (installed root-owned, mode 4755): prints the identity
 * and capabilities it runs with and whether it can read a file that only a privileged
 * process could read. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char line[256], cap[64] = "?";
	FILE *status = fopen("/proc/self/status", "r");
	while (status && fgets(line, sizeof line, status))
		if (strncmp(line, "CapEff:", 7) == 0)
			sscanf(line + 7, "%63s", cap);
	if (status)
		fclose(status);
	printf("uid=%d euid=%d capeff=%s ", (int)getuid(), (int)geteuid(), cap);
	int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1;
	if (fd < 0) {
		printf("read=%s\n", strerrorname_np(errno));
		return 0;
	}
	char buf[256];
	ssize_t n = read(fd, buf, sizeof buf);
	printf("read=OK:%zd\n", n);
	return 0;
}
