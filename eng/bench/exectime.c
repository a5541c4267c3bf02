/* exectime: wall time of short commands, measured interleaved.
 *
 *   exectime [-n ROUNDS] [-w WARMUP] [-s SETTLE_US] [-r RAW.tsv]
 *            NAME CMD [ARG...] [::: NAME CMD [ARG...]]...
 *
 * Each round runs every command once (spawn, wait), so drift (frequency, noisy
 * neighbours, page cache) falls on every command alike. The order within a round is
 * shuffled (fixed seed): a fixed rotation would make each command nearly always follow
 * the same other one, and a command that leaves work behind in the kernel (bwrap's
 * namespace teardown) would then tax its successor only. -s sleeps SETTLE_US after each
 * run, outside the measured time, to let such deferred work finish (default 0).
 * The time of one run is CLOCK_MONOTONIC from just before posix_spawn to just after
 * waitpid returns: what a build engine pays to start the step and learn that it ended.
 * Children get /dev/null as stdin, stdout and stderr; a run that does not exit 0 stops
 * the benchmark (a launcher that fails fast would otherwise look fast).
 *
 * Output, one line per command, tab-separated, microseconds:
 *   name  runs  median  p10  p90  mean  min
 * With -r, every measured run is also written as "round<TAB>name<TAB>ns", for paired
 * (same-round) comparisons.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct command {
	const char *name;
	char **argv;
	uint64_t *ns;
};

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t run_once(const struct command *c, const posix_spawn_file_actions_t *fa)
{
	pid_t pid;
	int status;
	uint64_t start = now_ns();
	int rc = posix_spawn(&pid, c->argv[0], fa, NULL, c->argv, environ);
	if (rc) {
		fprintf(stderr, "exectime: cannot start %s (%s): %s\n", c->name, c->argv[0],
			strerror(rc));
		exit(2);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("exectime: waitpid");
			exit(2);
		}
	uint64_t end = now_ns();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "exectime: %s did not exit 0 (status 0x%x); run it by hand: %s ...\n",
			c->name, status, c->argv[0]);
		exit(3);
	}
	return end - start;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static size_t below(size_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (size_t)(rng % n);
}

static void shuffle(size_t *order, size_t k)
{
	for (size_t i = k - 1; i > 0; i--) {
		size_t j = below(i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double pct(const uint64_t *v, size_t n, double p)
{
	if (p == 50 && n % 2 == 0)
		return (v[n / 2 - 1] + v[n / 2]) / 2.0;
	size_t i = (size_t)(p / 100 * (double)(n - 1) + 0.5);
	return (double)v[i];
}

static void usage(void)
{
	fputs("usage: exectime [-n ROUNDS] [-w WARMUP] [-s SETTLE_US] [-r RAW.tsv] "
	      "NAME CMD [ARG...] [::: NAME CMD [ARG...]]...\n", stderr);
	exit(2);
}

int main(int argc, char *argv[])
{
	long rounds = 1000, warmup = 50, settle_us = 0;
	const char *raw_path = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "+n:w:s:r:")) != -1) {
		switch (opt) {
		case 'n': rounds = strtol(optarg, NULL, 10); break;
		case 'w': warmup = strtol(optarg, NULL, 10); break;
		case 's': settle_us = strtol(optarg, NULL, 10); break;
		case 'r': raw_path = optarg; break;
		default: usage();
		}
	}
	if (rounds < 1 || warmup < 0 || settle_us < 0 || optind >= argc)
		usage();

	struct command cmds[32];
	size_t k = 0;
	for (int i = optind; i < argc;) {
		if (k == sizeof(cmds) / sizeof(cmds[0]))
			usage();
		int end = i;
		while (end < argc && strcmp(argv[end], ":::") != 0)
			end++;
		if (end - i < 2)
			usage();
		if (end < argc)
			argv[end] = NULL;
		cmds[k].name = argv[i];
		cmds[k].argv = &argv[i + 1];
		cmds[k].ns = malloc(sizeof(uint64_t) * (size_t)rounds);
		if (!cmds[k].ns) {
			perror("exectime");
			return 2;
		}
		k++;
		i = end + 1;
	}

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	for (int fd = 0; fd < 3; fd++)
		posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);

	size_t order[sizeof(cmds) / sizeof(cmds[0])];
	for (size_t j = 0; j < k; j++)
		order[j] = j;
	const struct timespec settle = { settle_us / 1000000, settle_us % 1000000 * 1000 };
	for (long r = -warmup; r < rounds; r++) {
		shuffle(order, k);
		for (size_t j = 0; j < k; j++) {
			struct command *c = &cmds[order[j]];
			uint64_t ns = run_once(c, &fa);
			if (r >= 0)
				c->ns[r] = ns;
			if (settle_us)
				nanosleep(&settle, NULL);
		}
	}

	if (raw_path) {
		FILE *raw = fopen(raw_path, "w");
		if (!raw) {
			perror(raw_path);
			return 2;
		}
		for (long r = 0; r < rounds; r++)
			for (size_t j = 0; j < k; j++)
				fprintf(raw, "%ld\t%s\t%llu\n", r, cmds[j].name,
					(unsigned long long)cmds[j].ns[r]);
		fclose(raw);
	}

	for (size_t j = 0; j < k; j++) {
		uint64_t *v = cmds[j].ns;
		double sum = 0;
		for (long r = 0; r < rounds; r++)
			sum += (double)v[r];
		qsort(v, (size_t)rounds, sizeof(*v), cmp_u64);
		printf("%s\t%ld\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\n", cmds[j].name, rounds,
		       pct(v, (size_t)rounds, 50) / 1e3, pct(v, (size_t)rounds, 10) / 1e3,
		       pct(v, (size_t)rounds, 90) / 1e3, sum / (double)rounds / 1e3,
		       (double)v[0] / 1e3);
	}
	return 0;
}
