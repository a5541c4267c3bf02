/* The escape suite's LD_PRELOAD payload: says so if it is ever loaded. */
#include <unistd.h>

__attribute__((constructor)) static void preloaded(void)
{
	static const char msg[] = "NONO-PRELOAD-RAN\n";
	(void)!write(2, msg, sizeof msg - 1);
}
