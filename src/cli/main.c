/* main.c - the aloud program: parse, then run. All logic lives in cli_*.c. */
#include <stdio.h>

#include "cli.h"
#include "cli_run.h"

int main(int argc, char **argv)
{
    cli_options opts;
    char why[256];
    int rc = cli_parse(argc, argv, &opts, why, sizeof why);
    if (rc == CLI_EXIT_OK)
        rc = cli_run(&opts);
    else
        fprintf(stderr, "aloud: error: %s\n", why);
    cli_options_free(&opts);
    return rc;
}
