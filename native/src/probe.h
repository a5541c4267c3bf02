/* What this kernel can enforce, as JSON (nono-exec --probe, libnono's nono_probe). */
#ifndef NONO_PROBE_H
#define NONO_PROBE_H

#include <stddef.h>

/* Writes one JSON object and a newline into buf; returns its length (as snprintf). */
int nono_probe_json(char *buf, size_t size);

#endif
