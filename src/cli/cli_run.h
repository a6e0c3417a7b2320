/*
 * cli_run.h - running what the parsed command line says (cli_run.c): the modes.
 */
#ifndef ALOUD_CLI_RUN_H
#define ALOUD_CLI_RUN_H

#include <stdio.h>

#include "cli.h"

/* Prints --help to `out`. */
void cli_usage(FILE *out);

/* Runs what `opts` says; returns the exit code. Messages go to stderr. */
int cli_run(const cli_options *opts);

#endif /* ALOUD_CLI_RUN_H */
