/*
 * cli_render.h - rendering one input or a batch (cli_render.c).
 */
#ifndef ALOUD_CLI_RENDER_H
#define ALOUD_CLI_RENDER_H

#include <stddef.h>

#include "cli.h"

/* Renders every input; returns the exit code. */
int cli_run_render(const cli_options *opts);
/* The progress line (no newline) for `p` after `elapsed` seconds, into buf. */
char *cli_progress_format(const aloud_progress *p, double elapsed, char *buf, size_t size);

#endif /* ALOUD_CLI_RENDER_H */
