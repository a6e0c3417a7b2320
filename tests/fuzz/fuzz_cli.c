/*
 * fuzz_cli.c - libFuzzer target for the command-line parser: splits the
 * input at NUL bytes into arguments (after "aloud"), runs cli_parse() and
 * checks what it promises (cli.h). Any broken promise aborts; the sanitizers
 * catch the rest.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* More arguments than anyone types; the parser has no limit of its own. */
#define FUZZ_MAX_ARGS 64

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* One copy holds every argument, each ended by its NUL. */
    static char program[] = "aloud";
    char *copy = malloc(size + 1);
    char *argv[FUZZ_MAX_ARGS + 2];
    int argc = 0;
    check(copy != NULL);
    memcpy(copy, data, size);
    copy[size] = '\0';
    argv[argc++] = program;
    for (size_t i = 0; i < size && argc <= FUZZ_MAX_ARGS;) {
        argv[argc++] = copy + i;
        i += strlen(copy + i) + 1;
    }
    argv[argc] = NULL;

    cli_options opts;
    char why[256];
    memset(why, 0x55, sizeof why);
    int rc = cli_parse(argc, argv, &opts, why, sizeof why);
    check(rc == CLI_EXIT_OK || rc == CLI_EXIT_USAGE);
    if (rc == CLI_EXIT_USAGE) {
        /* A reason, terminated within the buffer. */
        size_t len = strnlen(why, sizeof why);
        check(len > 0 && len < sizeof why);
    } else {
        check(opts.input_count <= (size_t)argc);
        check(opts.input_count == 0 || opts.input == opts.inputs[0]);
        check(opts.lexicon_count <= CLI_MAX_LEXICONS);
        check(opts.rate == -1 || (opts.rate >= 80 && opts.rate <= 450));
        check(opts.pitch == -1 || (opts.pitch >= 0 && opts.pitch <= 99));
        if (opts.mode == CLI_MODE_FEED)
            check(opts.input_count == 1 && opts.feed_dir == opts.input);
        /* --feed renders into its folder with the sidecars a feed needs. */
        if (opts.mode == CLI_MODE_RENDER && opts.feed_dir)
            check(opts.output_is_dir && opts.sidecars
                  && strncmp(opts.sidecars, CLI_FEED_SIDECARS, strlen(CLI_FEED_SIDECARS)) == 0);
        if (opts.mode == CLI_MODE_RENDER) {
            check(opts.input_count > 0);
            const aloud_format *format = cli_output_format(&opts);
            check(format != NULL);
            check(aloud_format_extension(format) != NULL);
            for (size_t i = 0; i < opts.input_count; i++) {
                char path[64];
                if (cli_output_path(&opts, opts.inputs[i], format, path, sizeof path))
                    check(strlen(path) < sizeof path);
                char big[4096];
                if (cli_output_path(&opts, opts.inputs[i], format, big, sizeof big))
                    check(strlen(big) < sizeof big && big[0] != '\0');
            }
        }
    }
    cli_options_free(&opts);
    free(copy);
    return 0;
}
