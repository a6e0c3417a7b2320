/* cli_feed.c - `aloud feed DIR`, and the feed update of `aloud --feed DIR`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"
#include "cli_feed.h"

/* Prints a warning of the feed (not with -q): the library's messages start
 * with the name of a file in the folder, which gets the folder in front. */
static void cli_feed_warn(void *ctx, const char *message)
{
    const char *dir = ctx;
    fprintf(stderr, "aloud: warning: %s/%s\n", dir, message);
}

/* Updates the feed of opts->feed_dir, with `image` as the feed's image
 * (NULL keeps it). */
static int cli_feed_write(const cli_options *opts, const char *image)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", opts->feed_dir);
    /* "pod/" is named "pod" in messages, "pod/feed.xml" not "pod//feed.xml". */
    for (size_t len = strlen(dir); len > 1 && dir[len - 1] == '/'; len--)
        dir[len - 1] = '\0';
    aloud_feed_opts fo = {opts->feed_title, opts->feed_author, opts->feed_description,
                          opts->feed_lang, opts->base_url, image,
                          opts->verbosity >= 0 ? cli_feed_warn : NULL, dir};
    aloud_feed_result res;
    aloud_error err = {0};
    aloud_status st = aloud_feed_update(opts->feed_dir, &fo, &res, &err);
    if (st != ALOUD_OK) {
        /* A fault in the settings file is at its line there. */
        char conf[4200];
        snprintf(conf, sizeof conf, "%s/feed.conf", dir);
        cli_error(st == ALOUD_ERR_MEDIA ? conf : NULL, &err);
        /* A bad option or settings file is bad input; the rest a failure. */
        return st == ALOUD_ERR_ARG || st == ALOUD_ERR_MEDIA ? CLI_EXIT_USAGE : cli_exit_for(st);
    }
    if (opts->verbosity >= 0) {
        fprintf(stderr, "aloud: feed %s/feed.xml: %zu item%s", dir, res.items,
                res.items == 1 ? "" : "s");
        if (res.without_manifest)
            fprintf(stderr, " (%zu without a manifest)", res.without_manifest);
        fputc('\n', stderr);
    }
    return CLI_EXIT_OK;
}

int cli_run_feed(const cli_options *opts)
{
    return cli_feed_write(opts, opts->cover);
}

int cli_feed_check(const cli_options *opts)
{
    aloud_feed_opts fo = {opts->feed_title, opts->feed_author, opts->feed_description,
                          opts->feed_lang, opts->base_url, opts->cover, NULL, NULL};
    aloud_error err = {0};
    aloud_status st = aloud_feed_check(&fo, &err);
    if (st != ALOUD_OK) {
        cli_error(NULL, &err);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int cli_feed_update(const cli_options *opts)
{
    return cli_feed_write(opts, NULL);
}
